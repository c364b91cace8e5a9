import type { Http2ServerRequest } from "node:http2";
import type { Readable } from "node:stream";
import type { CompiledTarget } from "../config/runtime-table.js";
import { ERRORS, errorBody, Failure } from "../errors.js";
import { eventTypeOf, type SecurityReason } from "../events/security-events.js";
import { removeQueryParams } from "../policies/auth/credential-sources.js";
import { CHALLENGES } from "../policies/auth/deny.js";
import type { PolicyDeny, PolicyInstance, PolicyOutcome } from "../policies/types.js";
import { normalizeHost } from "../router/host.js";
import { splitRequestTarget } from "../router/path.js";
import type { PathSpec } from "../router/router.js";
import { hashKeyOf } from "../upstream/hash-key.js";
import { clientAddress } from "./client-address.js";
import type { Exchange } from "./exchange.js";
import { forwardedElement, viaValue } from "./forwarded.js";
import { type HeaderValues, type OutgoingHeaders, withoutHopByHop } from "./hop-by-hop.js";
import { duplicateHeaderError } from "./raw-headers.js";

/**
 * The request lifecycle, after Pingora's `ProxyHttp` phases. The orchestrator (proxy-server.ts)
 * calls them in this order; each may end the request early by returning a {@link Failure}, which
 * goes to {@link failToProxy}. `logging` always runs, exactly once, when the response closes.
 * The README draws the same list (a test checks it).
 */
export const PHASES = Object.freeze([
  "request_filter",
  "request_body_filter",
  "upstream_peer",
  "upstream_request_filter",
  "response_filter",
  "logging",
] as const);

/** The error path every phase failure and upstream error goes through. */
export const FAIL_TO_PROXY = "fail_to_proxy";

/** One phase name. */
export type Phase = (typeof PHASES)[number];

const NO_CONFIG = new Failure("NO_CONFIG");
const BAD_REQUEST = new Failure("BAD_REQUEST");
const AUTH_AMBIGUOUS = new Failure(
  "AUTH_AMBIGUOUS",
  Object.freeze({ "www-authenticate": CHALLENGES.bearerRequest }),
  "credential_ambiguous",
);
const ROUTE_NOT_FOUND = new Failure("ROUTE_NOT_FOUND");
const TOO_MANY_HEADERS = new Failure("HEADERS_TOO_LARGE", null, "too many header fields");
const NO_TARGET = new Failure("UPSTREAM_UNAVAILABLE", null, "upstream has no target");

/**
 * `request_filter`: runs first, once the request headers are read. Refuses more header fields
 * than the limit (431) and an HTTP/1.1 request without `Host` (400), rejects ambiguous requests
 * (duplicate `Authorization`/`Host`, a transfer coding other than chunked, a malformed or
 * ambiguous path), matches the route on the normalized path, then runs the route's policies in
 * the route's order (the first denial answers; all must allow), preceded by the host's mTLS
 * policy when the request's host requires a client certificate and the route does not already
 * check one (see config/host-policies.ts). An allowing authentication
 * policy records its method and consumer on the exchange (the first consumer resolved wins) and
 * may strip query parameters (a query token); a denial is emitted as a security event. May
 * answer directly.
 * @returns `undefined` to go on, a Failure to answer with its error, or a promise of either
 *   when a policy is asynchronous (e.g. a JWT not in the verification cache)
 */
export function requestFilter(ex: Exchange): Failure | undefined | Promise<Failure | undefined> {
  const req = ex.req;
  if (!ex.res.h2) {
    if (req.rawHeaders.length > 2 * ex.services.limits.maxHeaders) return TOO_MANY_HEADERS;
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400.
    if (ex.host === undefined && req.httpVersionMinor === 1) return BAD_REQUEST;
  }
  const dup = duplicateHeaderError(req.rawHeaders);
  if (dup !== undefined) {
    if (dup !== "AUTH_AMBIGUOUS") return BAD_REQUEST;
    emitSecurityEvent(ex, null, "credential_ambiguous", AUTH_AMBIGUOUS.code, null);
    return AUTH_AMBIGUOUS;
  }
  const te = req.headers["transfer-encoding"];
  // Only "chunked" is undone by node's parser; any other coding would be forwarded mislabelled.
  if (te !== undefined && te.toLowerCase() !== "chunked") return BAD_REQUEST;
  const table = ex.table;
  if (table === undefined) return NO_CONFIG;
  const target = splitRequestTarget(req.url ?? "");
  if (target === undefined) return BAD_REQUEST;
  ex.path = target.path;
  ex.query = target.query;
  const host = normalizeHost(ex.host);
  const m = table.router.match(ex.method, host, target.path);
  if (m === undefined) return ROUTE_NOT_FOUND;
  const route = m.route;
  ex.route = route;
  if (route.stripPrefix) stripPrefix(ex, m.path);
  else if (route.prefixRewrite !== null) rewritePrefix(ex, m.path, route.prefixRewrite);
  else ex.upstreamPath = target.path;
  let chain = route.policies;
  // A name that requires a client certificate requires it on every route that serves it.
  const required = table.hostPolicies.lookup(host);
  if (required !== undefined && !chain.some((p) => required.members.has(p))) chain = [required.policy, ...chain];
  return chain.length === 0 ? undefined : runPolicies(ex, chain, 0);
}

function runPolicies(
  ex: Exchange,
  chain: readonly PolicyInstance[],
  from: number,
): Failure | undefined | Promise<Failure | undefined> {
  for (let i = from; i < chain.length; i++) {
    const policy = chain[i]!;
    const out = policy.check(ex);
    if (out instanceof Promise) {
      return out.then((o) => applyOutcome(ex, policy, o) ?? runPolicies(ex, chain, i + 1));
    }
    const f = applyOutcome(ex, policy, out);
    if (f !== undefined) return f;
  }
  return undefined;
}

function applyOutcome(ex: Exchange, policy: PolicyInstance, o: PolicyOutcome): Failure | undefined {
  if (!o.allow) return deny(ex, policy, o);
  if (o.authMethod !== undefined) {
    if (ex.authMethods === null) ex.authMethods = [o.authMethod];
    else ex.authMethods.push(o.authMethod);
    if (ex.consumer === null && o.consumer) ex.consumer = o.consumer;
  }
  if (o.stripQuery) ex.query = removeQueryParams(ex.query, o.stripQuery);
  if (o.upstreamHeaders === null) return undefined;
  if (ex.edits === null) ex.edits = [o.upstreamHeaders];
  else ex.edits.push(o.upstreamHeaders);
  return undefined;
}

function deny(ex: Exchange, policy: PolicyInstance, o: PolicyDeny): Failure {
  emitSecurityEvent(ex, policy, o.reason, o.code, o.consumer?.id ?? null);
  return new Failure(o.code, o.responseHeaders, o.reason);
}

/** Emits a refusal on the node's security event channel (never the credential or the query). */
function emitSecurityEvent(
  ex: Exchange,
  policy: PolicyInstance | null,
  reason: SecurityReason,
  code: Failure["code"],
  consumer: string | null,
): void {
  ex.services.events.emit({
    type: eventTypeOf(reason),
    reason,
    time: Date.now(),
    code,
    status: ERRORS[code].status,
    requestId: ex.requestId,
    route: ex.route?.id ?? null,
    policy: policy?.id ?? null,
    policyType: policy?.type ?? null,
    consumer,
    clientAddress: ex.req.socket.remoteAddress ?? null,
    method: ex.method,
    path: ex.path,
  });
}

/** `strip_prefix`: removes the matched prefix; the result is never empty (at least "/"). */
function stripPrefix(ex: Exchange, spec: PathSpec): void {
  const path = ex.path;
  if (spec.kind === "exact") {
    ex.upstreamPath = "/";
    ex.strippedPrefix = path;
    return;
  }
  if (spec.value === "/") {
    ex.upstreamPath = path;
    return;
  }
  const rest = path.slice(spec.value.length);
  ex.upstreamPath = rest === "" ? "/" : rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
  ex.strippedPrefix = spec.value.endsWith("/") ? spec.value.slice(0, -1) : spec.value;
}

/**
 * `prefix_rewrite` (Envoy's `prefix_rewrite`): the matched prefix is replaced, the rest kept;
 * an exact match is replaced whole. `/api` → `/v2` sends `/api/users` as `/v2/users`.
 */
function rewritePrefix(ex: Exchange, spec: PathSpec, rewrite: string): void {
  const path = ex.path;
  if (spec.kind === "exact") {
    ex.upstreamPath = rewrite;
    return;
  }
  const prefix = spec.value.endsWith("/") ? spec.value.slice(0, -1) : spec.value;
  const rest = path.slice(prefix.length);
  const base = rewrite.endsWith("/") ? rewrite.slice(0, -1) : rewrite;
  ex.upstreamPath = rest === "" ? rewrite : `${base}${rest}`;
}

/**
 * `request_body_filter`: runs after `request_filter` allowed the request. The body is streamed,
 * never buffered: this returns the stream to forward, or `null` when the request has no body
 * (HTTP/1.x: no `Transfer-Encoding`, and no or zero `Content-Length`; HTTP/2: the HEADERS frame
 * ended the stream, RFC 9113 §8.1).
 */
export function requestBodyFilter(ex: Exchange): Readable | null {
  const req = ex.req;
  // An upgrade request's body is the tunnel's first bytes (ex.upgradeHead), not an HTTP body.
  if (ex.upgrade !== null) return null;
  if (ex.res.h2) return (req as Http2ServerRequest).stream.endAfterHeaders ? null : req;
  const h = req.headers;
  if (h["transfer-encoding"] !== undefined) return ex.req;
  const cl = h["content-length"];
  return cl !== undefined && cl !== "0" ? ex.req : null;
}

/**
 * `upstream_peer`: picks the target of the route's upstream with its balancer (smooth weighted
 * round-robin, least requests with two random choices, or a ring hash of the request's
 * `hash_on` key), skipping ejected and unhealthy targets unless none is left (panic mode). A
 * retry picks again from the upstream client, excluding the target that failed.
 * @returns the target, or a Failure (`UPSTREAM_UNAVAILABLE`) when the upstream has no target
 */
export function upstreamPeer(ex: Exchange): CompiledTarget | Failure {
  const upstream = ex.route!.upstream;
  const hashOn = upstream.hashOn;
  if (hashOn !== null) ex.hashKey = hashKeyOf(hashOn, ex.req.headers, clientAddress(ex.req));
  const i = upstream.balancer.pick(ex.hashKey, -1);
  if (i < 0) return NO_TARGET;
  const target = upstream.targets[i]!;
  ex.target = target;
  ex.targetHeld = true;
  return target;
}

// Never forwarded from the client: hop-by-hop (RFC 9110 §7.6.1) and the headers the proxy owns.
// `expect` is answered by node:http itself (100-continue); undici refuses to send it.
const REQUEST_DROP: ReadonlySet<string> = new Set([
  "host",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "x-request-id",
  "x-consumer-id",
  "x-consumer-name",
]);

/**
 * `upstream_request_filter`: builds the upstream request headers from the client's:
 * hop-by-hop fields and those named in `Connection` removed (RFC 9110 §7.6.1); every identity
 * header any policy of the table asserts removed (a client never supplies one, on any route);
 * policy header edits applied (credentials stripped, identity headers set or removed);
 * `X-Consumer-Id`/`X-Consumer-Name` set when a consumer was resolved (always removed from the
 * client's headers); `Host` = the target's `host:port` (as nginx `proxy_pass`, Kong
 * `preserve_host=false`) or the client's with route `preserve_host`; forwarding headers set from
 * the client address (client-address.ts), overwriting what the client sent (no proxy in front is
 * trusted, so a client never chooses its own address): `Forwarded` = one RFC 7239 element
 * (`for`, `host`, `proto`), `X-Forwarded-For` and `X-Real-IP` = the client, `X-Forwarded-Proto` =
 * http or https, `X-Forwarded-Host` = the request `Host` (HTTP/2: `:authority`),
 * `X-Forwarded-Port` = the listener port, `X-Forwarded-Prefix` = the stripped prefix (if any);
 * `Via` gets this hop appended (RFC 9110 §7.6.3); `X-Request-Id` set. HTTP/2 pseudo-headers are
 * dropped.
 */
export function upstreamRequestFilter(ex: Exchange, target: CompiledTarget): OutgoingHeaders {
  const req = ex.req;
  // Underscored names are dropped as nginx does (`underscores_in_headers off`): CGI-style
  // upstreams map `X_User` onto `X-User`. Identity headers come only from policies (case C21).
  const out = withoutHopByHop(req.headers, REQUEST_DROP, true);
  const identity = ex.table?.identityHeaders;
  if (identity !== undefined) for (let i = 0; i < identity.length; i++) delete out[identity[i]!];
  const edits = ex.edits;
  if (edits !== null) {
    for (const e of edits) {
      for (const name in e) {
        const v = e[name];
        if (v === null || v === undefined) delete out[name];
        else out[name] = v;
      }
    }
  }
  const consumer = ex.consumer;
  if (consumer !== null) {
    out["x-consumer-id"] = consumer.id;
    out["x-consumer-name"] = consumer.name;
  }
  const host = ex.host;
  // Route `preserve_host`: the client's Host goes on (Kong preserve_host, nginx `proxy_set_header Host $host`).
  out.host = ex.route!.preserveHost && host !== undefined ? host : target.hostHeader;
  const peer = clientAddress(req);
  if (peer !== undefined) {
    out["x-forwarded-for"] = peer;
    out["x-real-ip"] = peer;
  }
  out.forwarded = forwardedElement(peer, host, ex.tls);
  out.via = viaValue(req.headers.via, req.httpVersion);
  out["x-forwarded-proto"] = ex.tls ? "https" : "http";
  if (host !== undefined) out["x-forwarded-host"] = host;
  const port = req.socket.localPort;
  if (port !== undefined) out["x-forwarded-port"] = String(port);
  if (ex.strippedPrefix !== "") out["x-forwarded-prefix"] = ex.strippedPrefix;
  out["x-request-id"] = ex.requestId;
  return out;
}

/**
 * `response_filter`: runs when the upstream response headers arrive (status >= 200), before
 * they are sent. Removes hop-by-hop fields and those named in `Connection` (RFC 9110 §7.6.1),
 * appends this hop to `Via` (RFC 9110 §7.6.3: the upstream answered HTTP/1.1), sets
 * `X-Request-Id`, and `Connection: close` while the node drains for shutdown.
 * @returns the headers to send to the client
 */
export function responseFilter(ex: Exchange, headers: HeaderValues): OutgoingHeaders {
  const out = withoutHopByHop(headers);
  out.via = viaValue(headers.via, "1.1");
  out["x-request-id"] = ex.requestId;
  if (ex.services.closing && !ex.res.h2) out.connection = "close";
  return out;
}

/**
 * `logging`: runs exactly once per request when the response closes (sent, failed or the client
 * went away), whatever happened before. Releases the balancer slot and writes the access log
 * line (debug level): method, path (never the query: it may hold a credential), route, status
 * (499 when the client closed first), upstream target, duration in ms, error code, consumer id
 * and authentication methods. Counts the request in the node's traffic stats (status class,
 * latency bucket, security event: no allocation). Never logs header values.
 */
export function logging(ex: Exchange): void {
  const target = ex.target;
  if (ex.targetHeld) {
    ex.targetHeld = false;
    ex.route!.upstream.balancer.release(target!.index);
  }
  const res = ex.res;
  const status = ex.upgraded
    ? 101
    : res.writableFinished
      ? res.statusCode
      : ex.errorCode !== undefined
        ? ERRORS[ex.errorCode].status
        : 499;
  ex.services.stats?.record(status, performance.now() - ex.startedAt, ex.errorCode);
  const log = ex.services.log;
  if (!log.isLevelEnabled("debug")) return;
  log.debug(
    {
      request_id: ex.requestId,
      method: ex.method,
      path: ex.path || ex.req.url?.split("?", 1)[0],
      route: ex.route?.id,
      status,
      upstream: target?.origin,
      upstream_status: ex.upstreamStatus || undefined,
      error: ex.errorCode,
      consumer: ex.consumer?.id,
      auth: ex.authMethods?.join("+"),
      ms: Math.round((performance.now() - ex.startedAt) * 100) / 100,
    },
    "request",
  );
}

/**
 * `fail_to_proxy`: the one error path. Maps a Failure to its registry entry and answers with
 * `{"error":{"code","message","request_id"}}` (JSON, the registry's message only). When the
 * response has already started, the connection is cut instead (a truncated response, never a
 * spliced one). Upstream and internal causes are logged at warn, client errors at debug; the
 * cause never reaches the wire. Idempotent: only the first failure of a request counts.
 */
export function failToProxy(ex: Exchange, failure: Failure): void {
  if (ex.errorCode !== undefined) return;
  ex.errorCode = failure.code;
  const spec = ERRORS[failure.code];
  const log = ex.services.log;
  // Client errors and "no config yet" (expected while a node boots) are not worth a warning.
  if (spec.blame === "downstream" || failure.code === "NO_CONFIG") {
    if (log.isLevelEnabled("debug")) {
      log.debug(
        { request_id: ex.requestId, code: failure.code, reason: describeCause(failure.cause) },
        "request refused",
      );
    }
  } else {
    log.warn(
      {
        request_id: ex.requestId,
        code: failure.code,
        route: ex.route?.id,
        upstream: ex.target?.origin,
        cause: describeCause(failure.cause),
      },
      "proxy error",
    );
  }
  const res = ex.res;
  if (res.headersSent || res.gone) {
    res.destroy();
    return;
  }
  const body = errorBody(failure.code, ex.requestId);
  const headers: OutgoingHeaders = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-request-id": ex.requestId,
  };
  if (failure.headers !== null) Object.assign(headers, failure.headers);
  if (ex.services.closing && !res.h2) headers.connection = "close";
  res.writeHead(spec.status, headers);
  if (ex.method === "HEAD") res.end();
  else res.end(body);
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "string") return cause;
  const e = cause as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : undefined;
  return code && message ? `${code}: ${message}` : (code ?? message ?? String(cause));
}
