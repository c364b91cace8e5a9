import { AnomalyError } from "../errors.js";
import { SIZE_MAX_BINS, SIZE_MAX_KEY } from "../sketch/size-sketch.js";
import {
  type ClientSummary,
  type NodeSummary,
  type RouteSummary,
  SUMMARY_CMS_DEPTH,
  SUMMARY_CMS_WIDTH,
  SUMMARY_HLL_P,
  SUMMARY_LIMITS,
  SUMMARY_VERSION,
  type UpstreamSummary,
} from "./summary.js";

const CLIENT_TYPES = new Set(["address", "consumer", "credential"]);
const utf8 = new TextEncoder();

function bad(field: string, detail: string): never {
  throw new AnomalyError("SUMMARY_MALFORMED", field, detail);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function count(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) bad(field, "must be a non-negative integer");
  return v;
}

function str(v: unknown, field: string, allowEmpty = false): string {
  if (typeof v !== "string") bad(field, "must be a string");
  if (!allowEmpty && v.length === 0) bad(field, "must not be empty");
  if (utf8.encode(v).length > SUMMARY_LIMITS.maxStringBytes) {
    bad(field, `longer than ${SUMMARY_LIMITS.maxStringBytes} bytes`);
  }
  return v;
}

function time(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) bad(field, "must be a finite number (ms)");
  return v;
}

function list(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) bad(field, "must be a list");
  if (v.length > max) throw new AnomalyError("SUMMARY_TOO_LARGE", field, `more than ${max} entries`);
  return v;
}

function word(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(field, "must be a 32-bit word");
  return v;
}

function route(v: unknown, at: string): RouteSummary {
  if (!isObj(v)) bad(at, "must be an object");
  const hll = v.failingClients;
  if (!(hll instanceof Uint8Array) || hll.length !== 1 << SUMMARY_HLL_P) {
    bad(`${at}.failingClients`, `must be ${1 << SUMMARY_HLL_P} register bytes`);
  }
  for (let i = 0; i < hll.length; i++)
    if (hll[i]! > 32 - SUMMARY_HLL_P + 1) bad(`${at}.failingClients`, "register out of range");
  const sz = v.sizes;
  if (!isObj(sz)) bad(`${at}.sizes`, "must be an object");
  const keys = list(sz.keys, `${at}.sizes.keys`, SIZE_MAX_BINS);
  const counts = list(sz.counts, `${at}.sizes.counts`, SIZE_MAX_BINS);
  if (keys.length !== counts.length) bad(`${at}.sizes`, "keys and counts differ in length");
  let prev = -1;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k !== "number" || !Number.isInteger(k) || k <= prev || k > SIZE_MAX_KEY) {
      bad(`${at}.sizes.keys[${i}]`, "must increase within the size range");
    }
    prev = k;
    if (count(counts[i], `${at}.sizes.counts[${i}]`) === 0) bad(`${at}.sizes.counts[${i}]`, "must be positive");
  }
  return {
    route: str(v.route, `${at}.route`),
    requests: count(v.requests, `${at}.requests`),
    authFailures: count(v.authFailures, `${at}.authFailures`),
    authDenied: count(v.authDenied, `${at}.authDenied`),
    status4xx: count(v.status4xx, `${at}.status4xx`),
    status5xx: count(v.status5xx, `${at}.status5xx`),
    oversized: count(v.oversized, `${at}.oversized`),
    newContentType: count(v.newContentType, `${at}.newContentType`),
    failingClients: hll,
    sizes: { zeros: count(sz.zeros, `${at}.sizes.zeros`), keys: keys as number[], counts: counts as number[] },
  };
}

function upstream(v: unknown, at: string): UpstreamSummary {
  if (!isObj(v)) bad(at, "must be an object");
  return {
    upstream: str(v.upstream, `${at}.upstream`),
    requests: count(v.requests, `${at}.requests`),
    status4xx: count(v.status4xx, `${at}.status4xx`),
    status5xx: count(v.status5xx, `${at}.status5xx`),
  };
}

function pair(v: unknown, field: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) bad(field, "must be two 32-bit words");
  return [word(v[0], `${field}[0]`), word(v[1], `${field}[1]`)];
}

function client(v: unknown, at: string): ClientSummary {
  if (!isObj(v)) bad(at, "must be an object");
  if (typeof v.type !== "string" || !CLIENT_TYPES.has(v.type))
    bad(`${at}.type`, "must be address, consumer or credential");
  return {
    type: v.type as ClientSummary["type"],
    id: str(v.id, `${at}.id`),
    route: str(v.route, `${at}.route`, true),
    requests: count(v.requests, `${at}.requests`),
    authFailures: count(v.authFailures, `${at}.authFailures`),
    novelPaths: count(v.novelPaths, `${at}.novelPaths`),
    sequentialRun: count(v.sequentialRun, `${at}.sequentialRun`),
    userAgents: pair(v.userAgents, `${at}.userAgents`),
    addresses: pair(v.addresses, `${at}.addresses`),
  };
}

/**
 * Checks a decoded summary field by field and returns it typed: every count a non-negative safe
 * integer, strings at most SUMMARY_LIMITS.maxStringBytes, lists within SUMMARY_LIMITS, sketches of
 * the fixed shapes, size bins increasing within range, an interval of at most 10 min.
 * @throws AnomalyError SUMMARY_MALFORMED or SUMMARY_TOO_LARGE naming the field
 */
export function validateSummary(v: unknown): NodeSummary {
  if (!isObj(v)) bad("", "must be an object");
  if (v.version !== SUMMARY_VERSION) bad("version", `must be ${SUMMARY_VERSION}`);
  const startMs = time(v.startMs, "startMs");
  const endMs = time(v.endMs, "endMs");
  if (endMs < startMs || endMs - startMs > SUMMARY_LIMITS.maxIntervalMs) bad("endMs", "interval out of range");
  const failures = v.failures;
  if (!(failures instanceof Uint32Array) || failures.length !== SUMMARY_CMS_WIDTH * SUMMARY_CMS_DEPTH) {
    bad("failures", `must be ${SUMMARY_CMS_DEPTH} × ${SUMMARY_CMS_WIDTH} counters`);
  }
  const routes = list(v.routes, "routes", SUMMARY_LIMITS.maxRoutes).map((r, i) => route(r, `routes[${i}]`));
  const ups = list(v.upstreams, "upstreams", SUMMARY_LIMITS.maxUpstreams).map((u, i) => upstream(u, `upstreams[${i}]`));
  const clients = list(v.clients, "clients", SUMMARY_LIMITS.maxClients).map((c, i) => client(c, `clients[${i}]`));
  return {
    version: SUMMARY_VERSION,
    nodeId: str(v.nodeId, "nodeId"),
    region: str(v.region, "region", true),
    seq: count(v.seq, "seq"),
    startMs,
    endMs,
    records: count(v.records, "records"),
    dropped: count(v.dropped, "dropped"),
    routes,
    upstreams: ups,
    clients,
    failures,
  };
}
