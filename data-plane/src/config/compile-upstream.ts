import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { LoadBalancing, type Upstream } from "@palisade/proto";
import { parseHostPattern } from "../router/host.js";
import { normalizePath } from "../router/path.js";
import { type Balancer, LeastRequests, RingHash, SmoothWeightedRoundRobin } from "../upstream/balancer.js";
import { dispatchAttempt } from "../upstream/dispatch/attempt.js";
import { circuitBreaker } from "../upstream/dispatch/circuit-breaker.js";
import { retry } from "../upstream/dispatch/retry.js";
import { totalTimeout } from "../upstream/dispatch/total-timeout.js";
import { composeDispatch, type UpstreamInterceptor } from "../upstream/dispatch/upstream-call.js";
import { resolveHashOn } from "../upstream/hash-key.js";
import type { PoolSpec, UpstreamTlsSpec } from "../upstream/pool-manager.js";
import type { TargetHealth } from "../upstream/target-health.js";
import { resolveTimeouts } from "../upstream/timeouts.js";
import type { UpstreamRuntime } from "../upstream/upstream-runtime.js";
import { resolveActiveCheck, resolveBreaker, resolvePassive, resolveRetries } from "../upstream/upstream-settings.js";
import { CompileError } from "./compile-error.js";
import type { CompiledTarget, CompiledUpstream } from "./runtime-table.js";

/** Weight of a target whose weight is 0 (unset). */
export const DEFAULT_WEIGHT = 100;
const MAX_WEIGHT = 1000;

// An origin-form path for health checks (RFC 9112 §3.2.1), no fragment or control characters.
const PROBE_PATH = /^\/[\x21-\x7e]*$/;

/**
 * Compiles one upstream: validates its targets and settings, and builds their pool specs, the
 * balancer and the upstream client chain. No pool is opened and no check is started here
 * (PoolManager, UpstreamRuntime.retain); the health and counter objects come from `runtime`.
 * @throws CompileError RESOURCE_INVALID naming `upstream/<name>`
 */
export function compileUpstream(u: Upstream, runtime: UpstreamRuntime): CompiledUpstream {
  const resource = `upstream/${u.name || u.id}`;
  const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, resource);
  const scheme = u.scheme === "" ? "http" : u.scheme;
  if (scheme !== "http" && scheme !== "https") throw bad(`scheme: "${u.scheme}" is not http or https`);
  const timeouts = resolveTimeouts(u.timeouts);
  const breaker = resolveBreaker(u.circuitBreaker);
  const retries = resolveRetries(u.retries);
  for (const s of retries.onStatuses) {
    if (s < 500 || s > 599) throw bad(`retries.retry_on_statuses: ${s} is not a 5xx status`);
  }
  const activeCheck = resolveActiveCheck(u.healthCheck);
  if (activeCheck !== null && !PROBE_PATH.test(activeCheck.path)) {
    throw bad(`health_check.active.path: "${activeCheck.path}" is not an origin-form path`);
  }
  const passive = resolvePassive(u.healthCheck);
  let hashOn: ReturnType<typeof resolveHashOn>;
  try {
    hashOn = resolveHashOn(u.hashOn);
  } catch (err) {
    throw bad((err as Error).message);
  }
  const tlsBase = upstreamTls(u, scheme, bad);
  const defaultPort = scheme === "https" ? 443 : 80;
  const targets: CompiledTarget[] = [];
  const health: TargetHealth[] = [];
  const seen = new Set<string>();
  for (const [index, t] of u.targets.entries()) {
    const where = `targets[${index}]`;
    const pattern = parseHostPattern(t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host);
    if (t.host === "" || pattern === undefined || pattern.kind !== "exact") {
      throw bad(`${where}.host: "${t.host}" is not a host name or IP address`);
    }
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw bad(`${where}.port: ${t.port} is not 1-65535`);
    const weight = t.weight === 0 ? DEFAULT_WEIGHT : t.weight;
    if (weight > MAX_WEIGHT) throw bad(`${where}.weight: ${t.weight} is not 1-${MAX_WEIGHT}`);
    const host = pattern.host;
    const authority = `${host}:${t.port}`;
    if (seen.has(authority)) throw bad(`${where}: duplicate target ${authority}`);
    seen.add(authority);
    const origin = `${scheme}://${authority}`;
    // The pool is built from this origin at request time: a host that is no valid URL host
    // (999.1.1.1, a:b:c) must be refused now, not answer 500 on every request later.
    try {
      new URL(origin);
    } catch {
      throw bad(`${where}.host: "${t.host}" is not a valid host`);
    }
    if (/^[0-9.]+$/.test(host) && isIP(host) !== 4) throw bad(`${where}.host: "${t.host}" is not a valid IPv4 address`);
    const h = runtime.targetHealth(u.id, origin);
    health.push(h);
    targets.push(
      Object.freeze({
        index,
        host,
        port: t.port,
        weight,
        origin,
        hostHeader: t.port === defaultPort ? host : authority,
        pool: poolSpec(origin, host, timeouts.connectMs, breaker.maxConnections, tlsBase),
        health: h,
      }),
    );
  }
  let pathPrefix = "";
  if (u.pathPrefix !== "" && u.pathPrefix !== "/") {
    const p = normalizePath(u.pathPrefix);
    if (p === undefined || p !== u.pathPrefix)
      throw bad(
        `path_prefix: "${u.pathPrefix}" must be a canonical path (no dot or empty segment, no escapes to decode)`,
      );
    pathPrefix = p.endsWith("/") ? p.slice(0, -1) : p;
  }
  const weights = targets.map((t) => t.weight);
  let balancer: Balancer;
  switch (u.loadBalancing) {
    case LoadBalancing.LEAST_REQUESTS:
      balancer = new LeastRequests(weights, health);
      break;
    case LoadBalancing.RING_HASH:
      balancer = new RingHash(
        targets.map((t) => `${t.host}:${t.port}`),
        weights,
        health,
      );
      break;
    default:
      balancer = new SmoothWeightedRoundRobin(weights, health);
  }
  const counters = runtime.counters(u.id);
  const interceptors: UpstreamInterceptor[] = [circuitBreaker(breaker), totalTimeout()];
  if (retries.maxRetries > 0) interceptors.push(retry(retries));
  return Object.freeze({
    id: u.id,
    name: u.name,
    resource,
    scheme,
    targets: Object.freeze(targets),
    balancer,
    hashOn: u.loadBalancing === LoadBalancing.RING_HASH ? hashOn : null,
    timeouts,
    source: u,
    dispatch: composeDispatch(dispatchAttempt, interceptors),
    counters,
    health: Object.freeze({ resource, targets: Object.freeze(health), passive, counters }),
    activeCheck,
    retries,
    breaker,
    pathPrefix,
  });
}

/** TLS settings shared by the targets of an https upstream (servername resolved per target). */
interface TlsBase {
  readonly rejectUnauthorized: boolean;
  readonly ca: string | undefined;
  readonly servername: string | undefined;
  /** Short identity of the CA bundle for pool keys. */
  readonly caId: string;
}

function upstreamTls(u: Upstream, scheme: string, bad: (m: string) => CompileError): TlsBase | null {
  const tls = u.tls;
  if (scheme !== "https") {
    if (tls !== undefined && (tls.skipVerify || tls.caPem !== "" || tls.serverName !== "")) {
      throw bad('tls: set only with scheme "https"');
    }
    return null;
  }
  let caId = "";
  if (tls !== undefined && tls.caPem !== "") {
    try {
      caId = new X509Certificate(tls.caPem).fingerprint256;
    } catch {
      throw bad("tls.ca_pem: not a PEM certificate");
    }
  }
  if (tls !== undefined && tls.serverName !== "" && parseHostPattern(tls.serverName)?.kind !== "exact") {
    throw bad(`tls.server_name: "${tls.serverName}" is not a host name`);
  }
  return {
    rejectUnauthorized: !(tls?.skipVerify ?? false),
    ca: tls !== undefined && tls.caPem !== "" ? tls.caPem : undefined,
    servername: tls !== undefined && tls.serverName !== "" ? tls.serverName : undefined,
    caId,
  };
}

/**
 * The pool spec of one target with a given connect timeout.
 * @param tls `null` for http
 */
export function poolSpec(
  origin: string,
  host: string,
  connectMs: number,
  maxConnections: number,
  tls: TlsBase | null,
): PoolSpec {
  let spec: UpstreamTlsSpec | null = null;
  let key = `${origin}|c${connectMs}|n${maxConnections}`;
  if (tls !== null) {
    // SNI is a DNS name (RFC 6066 §3): never an IP literal.
    const servername = tls.servername ?? (isIP(host.replace(/^\[|\]$/g, "")) === 0 ? host : undefined);
    spec = Object.freeze({ rejectUnauthorized: tls.rejectUnauthorized, ca: tls.ca, servername });
    key += `|v${tls.rejectUnauthorized ? 1 : 0}|${tls.caId}|${servername ?? ""}`;
  }
  return Object.freeze({ key, origin, connectMs, maxConnections, tls: spec });
}

/** A copy of a target's pool spec with another connect timeout (a route's override). */
export function withConnectTimeout(spec: PoolSpec, connectMs: number): PoolSpec {
  return Object.freeze({ ...spec, key: `${spec.key}|route-c${connectMs}`, connectMs });
}
