// Builders for test snapshots and JWT keys (test-only helpers, not exported by the package).
import { sign as cryptoSign, KeyObject } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type Certificate,
  CertificateSchema,
  type ConfigUpdate,
  ConfigUpdateSchema,
  contentHashOf,
  encodeResources,
  JwtPolicySchema,
  type Policy,
  PolicySchema,
  type Route,
  RouteSchema,
  type Snapshot,
  SnapshotSchema,
  type Upstream,
  UpstreamSchema,
} from "@palisade/proto";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { silentLogger } from "../log.js";
import { type TestExchange, testRequest } from "../policies/test-request.js";
import { normalizeHost } from "../router/host.js";

export const log = silentLogger();

/** An upstream with one target per `host:port` given. */
export function upstream(
  id: string,
  targets: readonly string[],
  init: MessageInitShape<typeof UpstreamSchema> = {},
): Upstream {
  return create(UpstreamSchema, {
    id,
    name: id,
    targets: targets.map((t) => {
      const i = t.lastIndexOf(":");
      return { host: t.slice(0, i), port: Number(t.slice(i + 1)) };
    }),
    ...init,
  });
}

/** A route with prefix paths (a leading "=" makes an exact path). */
export function route(
  id: string,
  upstreamId: string,
  paths: readonly string[],
  init: MessageInitShape<typeof RouteSchema> = {},
): Route {
  return create(RouteSchema, {
    id,
    name: id,
    upstreamId,
    paths: paths.map((p) =>
      p.startsWith("=")
        ? { kind: { case: "exact" as const, value: p.slice(1) } }
        : { kind: { case: "prefix" as const, value: p } },
    ),
    ...init,
  });
}

/** A JWT policy. */
export function jwtPolicy(id: string, cfg: MessageInitShape<typeof JwtPolicySchema>): Policy {
  return create(PolicySchema, { id, name: id, config: { case: "jwt", value: create(JwtPolicySchema, cfg) } });
}

/** A certificate resource for SNI names. */
export function certificate(
  id: string,
  snis: readonly string[],
  pair: { certPem: string; keyPem: string },
): Certificate {
  return create(CertificateSchema, { id, name: id, snis: [...snis], certPem: pair.certPem, keyPem: pair.keyPem });
}

/** A snapshot of the given resources. */
export function snapshot(
  parts: { upstreams?: Upstream[]; routes?: Route[]; policies?: Policy[]; certificates?: Certificate[] },
  version = 1n,
  hash = `hash-${version}`,
): Snapshot {
  return create(SnapshotSchema, {
    version,
    hash,
    upstreams: parts.upstreams ?? [],
    routes: parts.routes ?? [],
    policies: parts.policies ?? [],
    certificates: parts.certificates ?? [],
  });
}

/** An RSA key pair for RS256, its public JWKS as JSON text, and a signer. */
export async function rsaKeys(kid = "k1") {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const jwksJson = JSON.stringify({ keys: [jwk] });
  const sign = (claims: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, ...header }).sign(privateKey);
  /** RS256 over any header and payload (no library checks: for attack tests). */
  const signRaw = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${cryptoSign("sha256", Buffer.from(input), KeyObject.from(privateKey)).toString("base64url")}`;
  };
  return { publicKey, privateKey, jwk, jwksJson, sign, signRaw };
}

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}

/** Seconds since the epoch. */
export function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A policy request from a header object (values may be arrays: each element becomes its own
 * header line) and a raw query (`""` or `"?a=b"`), from 127.0.0.1.
 */
export function policyRequest(headers: Record<string, string | string[]> = {}, query = "", path = "/"): TestExchange {
  const hostHeader = Object.entries(headers).find(([n]) => n.toLowerCase() === "host")?.[1];
  const host = typeof hostHeader === "string" ? hostHeader : hostHeader?.[0];
  return testRequest({
    headers,
    query,
    path,
    host: host === undefined ? "" : normalizeHost(host),
    clientAddress: "127.0.0.1",
  });
}

/** A full update carrying every resource of `snap` (and its content hash). */
export function fullUpdate(snap: Snapshot, version: bigint, nonce = `n${version}`): ConfigUpdate {
  const resources = encodeResources(snap);
  return create(ConfigUpdateSchema, {
    version,
    nonce,
    full: true,
    hash: contentHashOf(resources),
    resources: resources.map((r) => ({ field: r.field, body: r.body })),
  });
}

/** The delta from `base` to `next` (resources compared by their encoding), with both hashes. */
export function deltaUpdate(base: Snapshot, next: Snapshot, version: bigint, nonce = `n${version}`): ConfigUpdate {
  const before = new Map(encodeResources(base).map((r) => [`${r.field}/${r.id}`, r]));
  const after = encodeResources(next);
  const changed = after.filter((r) => {
    const b = before.get(`${r.field}/${r.id}`);
    return !b || Buffer.compare(Buffer.from(b.body), Buffer.from(r.body)) !== 0;
  });
  const keep = new Set(after.map((r) => `${r.field}/${r.id}`));
  const removed = [...before.values()].filter((r) => !keep.has(`${r.field}/${r.id}`));
  return create(ConfigUpdateSchema, {
    version,
    nonce,
    full: false,
    baseVersion: base.version,
    baseHash: contentHashOf(before.values()),
    hash: contentHashOf(after),
    resources: changed.map((r) => ({ field: r.field, body: r.body })),
    removed: removed.map((r) => ({ field: r.field, id: r.id })),
  });
}
