// Builders for test snapshots and JWT keys (test-only helpers, not exported by the package).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type Certificate,
  CertificateSchema,
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
  return { publicKey, privateKey, jwk, jwksJson, sign };
}

/** Seconds since the epoch. */
export function nowS(): number {
  return Math.floor(Date.now() / 1000);
}
