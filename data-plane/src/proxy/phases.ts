import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { Readable } from "node:stream";
import type { CompiledRoute, CompiledTarget, RuntimeTable } from "../config/runtime-table.js";
import { ERRORS, type ErrorCode, errorBody, Failure } from "../errors.js";
import { eventTypeOf, type SecurityEventType } from "../events/security-events.js";
import { removeQueryParams } from "../policies/auth/credential-sources.js";
import { CHALLENGES } from "../policies/auth/deny.js";
import type { PolicyDeny, PolicyInstance, PolicyOutcome } from "../policies/types.js";
import { resolveAuthority } from "../request/authority.js";
import { resolveClientAddress } from "../request/client-address.js";
import { scanHeaders } from "../request/framing.js";
import { requestView } from "../request/request-view.js";
import { parseRequestTarget } from "../request/target.js";
import { type CanonicalPath, canonicalizePath, forwardIndex } from "../router/path.js";
import { checkOtherReadings } from "../router/path-readings.js";
import type { PathSpec } from "../router/router.js";
import { hashKeyOf } from "../upstream/hash-key.js";
import { BodyLimit } from "./body-limit.js";
import type { Exchange } from "./exchange.js";
import { forwardedElement, viaValue } from "./forwarded.js";
import { type HeaderValues, type OutgoingHeaders, withoutHopByHop } from "./hop-by-hop.js";

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
const AUTH_AMBIGUOUS = new Failure(
  "AUTH_AMBIGUOUS",
  Object.freeze({ "www-authenticate": CHALLENGES.bearerRequest }),
  "credential_ambiguous",
);
const ROUTE_NOT_FOUND = new Failure("ROUTE_NOT_FOUND");
const TOO_MANY_HEADERS = new Failure("HEADERS_TOO_LARGE", null, "header_count_exceeded");
const NO_TARGET = new Failure("UPSTREAM_UNAVAILABLE", null, "upstream has no target");

/**
 * `request_filter`: runs first, once the request headers are read. Refuses more header fields
 * than the limit (431), then builds the request's one canonical view and refuses what cannot be
 * read one way (RFC 9112 framing: a transfer coding other than exactly `chunked`, TE in
 * HTTP/1.0, a bad or duplicate Content-Length, duplicate `Host` or `Authorization`; a target
 * that is not origin- or absolute-form; a `Host` that is missing on HTTP/1.1, invalid, or in
 * conflict with the target's authority or HTTP/2's `:authority`; a path the canonicalizer
 * refuses), resolves the client address (trusted proxies), matches the route on the canonical
 * path, applies the route's path settings (merged slashes, encoded slashes) and rewriting
 * (`strip_prefix` or `prefix_rewrite`), then runs the chain in order — the global policies, then
 * the route's, preceded by the host's mTLS policy when the request's host requires a client
 * certificate and the chain does not already check one (config/host-policies.ts); a CORS
 * preflight runs the preflight chain instead. The first denial answers (all must allow); a
 * denial is emitted as a security event. An allowing authentication policy records its method
 * and consumer on the exchange (the first consumer resolved wins) and may strip query
 * parameters (a query token). May answer directly (a policy's own answer: a CORS preflight).
 * @returns `undefined` to go on, a Failure to answer with its error (or {@link DIRECT}), or a
 *   promise of either when a policy is asynchronous (a JWT not in the verification cache, a
 *   remote rate limit)
 */
export function requestFilter(ex: Exchange): Failure | undefined | Promise<Failure | undefined> {
  const req = ex.req;
  const method = ex.method;
  const h2 = ex.res.h2;
  // HTTP/2 bounds the header list itself (SETTINGS_MAX_HEADER_LIST_SIZE, nghttp2's pair limit).
  if (!h2 && req.rawHeaders.length > 2 * ex.services.limits.maxHeaders) return TOO_MANY_HEADERS;
  const scan = scanHeaders(req.rawHeaders, req.httpVersionMajor, req.httpVersionMinor, method, h2);
  if (typeof scan === "string") {
    if (scan !== "authorization_duplicate") return new Failure("BAD_REQUEST", null, scan);
    emitSecurityEvent(ex, null, "credential_ambiguous", "credential_ambiguous", AUTH_AMBIGUOUS.code, null);
    return AUTH_AMBIGUOUS;
  }
  ex.scan = scan;
  const table = ex.table;
  if (table === undefined) return NO_CONFIG;
  const target = parseRequestTarget(req.url ?? "");
  if (typeof target === "string") return new Failure("BAD_REQUEST", null, target);
  // HTTP/2: `:authority` plays the part of an absolute-form authority (RFC 9113 §8.3.1): a `Host`
  // naming another host is refused, and a request needs one of the two.
  const h2Authority = h2 ? ((req.headers[":authority"] as string | undefined) ?? null) : null;
  const authority = h2
    ? resolveAuthority(h2Authority, "https", scan.hosts, h2Authority === null)
    : resolveAuthority(target.authority, target.scheme, scan.hosts, req.httpVersionMinor === 1);
  if (typeof authority === "string") return new Failure("BAD_REQUEST", null, authority);
  const canon = canonicalizePath(target.rawPath, table.pathOptions);
  if (typeof canon === "string") return new Failure("PATH_INVALID", null, canon);
  const trusted = ex.services.trustedProxies;
  const client = resolveClientAddress(
    req.socket.remoteAddress,
    trusted === null ? undefined : req.headers[trusted.header],
    trusted,
  );
  ex.view = requestView({
    method,
    path: canon.path,
    matchPath: canon.match,
    query: target.query,
    host: authority.host,
    authority: authority.value,
    clientAddress: client.address,
    peerAddress: client.peer,
    forwardedFor: client.chain,
  });
  ex.path = canon.path;
  ex.query = target.query;
  const m = table.router.match(method, authority.host, canon.match);
  if (m === undefined) return ROUTE_NOT_FOUND;
  const route = m.route;
  ex.route = route;
  if (canon.mergedSlashes && !route.mergeSlashes) return new Failure("PATH_INVALID", null, "path_empty_segment");
  if (canon.keptEscapes !== null || canon.delimiters || route.refuseEncoded.length > 0) {
    const refused = checkRoutePath(table, route, method, authority.host, canon);
    if (refused !== undefined) return new Failure("PATH_INVALID", null, refused);
  }
  if (route.stripPrefix) stripPrefix(ex, m.path);
  else if (route.prefixRewrite !== null) rewritePrefix(ex, m.path, route.prefixRewrite);
  else ex.upstreamPath = canon.path;
  if (route.preflight !== null && method === "OPTIONS") {
    const h = req.headers;
    // A preflight never reaches the upstream and browsers send it without credentials.
    if (h.origin !== undefined && h["access-control-request-method"] !== undefined)
      return route.preflight.length === 0 ? undefined : runPolicies(ex, route.preflight, 0);
  }
  let chain = route.policies;
  // A name that requires a client certificate requires it on every route that serves it.
  const required = table.hostPolicies.lookup(authority.host);
  if (required !== undefined && !chain.some((p) => required.members.has(p))) chain = [required.policy, ...chain];
  return chain.length === 0 ? settleBodyLimit(ex) : runPolicies(ex, chain, 0);
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
  return settleBodyLimit(ex);
}

const BODY_TOO_LARGE = new Failure("PAYLOAD_TOO_LARGE", null, "body_too_large");

/**
 * The request body limit in force once every policy allowed (bytes; -1 = none), kept in
 * `ex.maxBodyBytes` for `request_body_filter`: a `request-size` policy's limit, else the route's
 * own `max_body_bytes`, else the table's `RequestSettings.max_body_bytes`, else the node's
 * `--max-body-bytes` (8 MiB); when the route and a policy both set one, the smaller. 0 at the
 * route, settings or node level means no limit. A declared Content-Length over it is refused
 * here (413, before a byte is read); a body of undeclared length is cut on the stream at the
 * limit by the same {@link BodyLimit} a `request-size` policy uses (nginx `client_max_body_size`).
 */
function settleBodyLimit(ex: Exchange): Failure | undefined {
  let limit = ex.maxBodyBytes;
  const own = ex.route!.maxBodyBytes;
  if (own !== null) {
    if (own > 0 && (limit < 0 || own < limit)) limit = own;
  } else if (limit < 0) {
    const fallback = ex.table!.maxBodyBytes ?? ex.services.limits.maxBodyBytes;
    if (fallback > 0) limit = fallback;
  }
  ex.maxBodyBytes = limit;
  if (limit < 0) return undefined;
  const declared = ex.scan!.contentLength;
  return declared !== null && declared > limit ? BODY_TOO_LARGE : undefined;
}

function applyOutcome(ex: Exchange, policy: PolicyInstance, o: PolicyOutcome): Failure | undefined {
  if (!o.allow) {
    ex.deniedBy = policy;
    return deny(ex, policy, o);
  }
  if (o.respond !== undefined) {
    // The policy answers at the edge (a CORS preflight); it does not decorate its own answer.
    ex.deniedBy = policy;
    ex.directResponse = o.respond;
    return DIRECT;
  }
  if (o.authMethod !== undefined) {
    if (ex.authMethods === null) ex.authMethods = [o.authMethod];
    else ex.authMethods.push(o.authMethod);
  }
  if (ex.consumer === null && o.consumer) ex.consumer = o.consumer;
  if (o.stripQuery) ex.query = removeQueryParams(ex.query, o.stripQuery);
  if (o.maxBodyBytes !== undefined && (ex.maxBodyBytes < 0 || o.maxBodyBytes < ex.maxBodyBytes))
    ex.maxBodyBytes = o.maxBodyBytes;
  if (o.responseHeaders) {
    if (ex.responseEdits === null) ex.responseEdits = [o.responseHeaders];
    else ex.responseEdits.push(o.responseHeaders);
  }
  if (o.upstream !== undefined) ex.upstreamChoice = ex.route!.alternates.get(o.upstream) ?? null;
  if (o.mirror !== undefined) ex.mirror = o.mirror;
  if (o.upstreamHeaders === null) return undefined;
  if (ex.edits === null) ex.edits = [o.upstreamHeaders];
  else ex.edits.push(o.upstreamHeaders);
  return undefined;
}

function deny(ex: Exchange, policy: PolicyInstance, o: PolicyDeny): Failure {
  emitSecurityEvent(ex, policy, eventTypeOf(o.reason), o.reason, o.code, o.consumer?.id ?? null);
  return new Failure(o.code, o.responseHeaders, o.reason, o.field ?? null);
}

/**
 * Marker Failure: a policy answered the request itself (`ex.directResponse`), not an error.
 * The orchestrator sends it with {@link sendDirectResponse}.
 */
export const DIRECT = new Failure("INTERNAL", null, "direct response");

/**
 * Sends a policy's own answer (a CORS preflight): its status and headers, the other response
 * policies' edits, `X-Request-Id`; no body.
 */
export function sendDirectResponse(ex: Exchange): void {
  const r = ex.directResponse!;
  const headers: OutgoingHeaders = { ...r.headers };
  applyResponsePolicies(ex, headers, ex.deniedBy);
  headers["x-request-id"] = ex.requestId;
  if (ex.services.closing && !ex.res.h2) headers.connection = "close";
  ex.res.writeHead(r.status, headers);
  ex.res.end();
}

/**
 * The matched route's own path rules (router/path.ts, router/path-readings.ts): every escape the
 * node kept because some route allows it must be allowed by this one (`allow_encoded`,
 * `allow_encoded_slashes`); nothing this route refuses (`refuse_encoded`) may appear; and every
 * other reading an upstream may make of a path holding `;` or a delimiter escape must be a path
 * the node accepts that meets this same route, so that no spelling skips a route's policies.
 * @returns the refusal reason, or `undefined` when the path may go on
 */
function checkRoutePath(
  table: RuntimeTable,
  route: CompiledRoute,
  method: string,
  host: string,
  canon: CanonicalPath,
): string | undefined {
  if (canon.keptEscapes !== null)
    for (const b of canon.keptEscapes)
      if (!route.allowEncoded.has(b)) return b === 0x2f ? "path_encoded_slash" : "path_encoded_delimiter";
  for (const e of route.refuseEncoded) if (canon.path.includes(e)) return "path_encoded_refused";
  if (!canon.delimiters) return undefined;
  return checkOtherReadings(canon.path, table.pathOptions, (m) => table.router.match(method, host, m)?.route === route);
}

/**
 * `strip_prefix`: removes the matched prefix; the result is never empty (at least "/"). Works on
 * the match form (`%2F` read as `/`) and cuts the forwarded form at the same place. A prefix
 * `/a/` that matched `/a` (its trailing-slash spelling) leaves "/".
 */
function stripPrefix(ex: Exchange, spec: PathSpec): void {
  const path = ex.view.path;
  if (spec.kind === "exact") {
    ex.upstreamPath = "/";
    ex.strippedPrefix = path;
    return;
  }
  if (spec.value === "/") {
    ex.upstreamPath = path;
    return;
  }
  const rest = path.slice(forwardIndex(path, spec.value.length));
  ex.upstreamPath = rest === "" ? "/" : rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
  ex.strippedPrefix = spec.value.endsWith("/") ? spec.value.slice(0, -1) : spec.value;
}

/**
 * `prefix_rewrite` (Envoy's `prefix_rewrite`): the matched prefix is replaced, the rest kept;
 * an exact match is replaced whole. `/api` → `/v2` sends `/api/users` as `/v2/users`. Cuts the
 * forwarded form where the match form ends, as {@link stripPrefix}.
 */
function rewritePrefix(ex: Exchange, spec: PathSpec, rewrite: string): void {
  const path = ex.view.path;
  if (spec.kind === "exact") {
    ex.upstreamPath = rewrite;
    return;
  }
  const prefix = spec.value.endsWith("/") ? spec.value.slice(0, -1) : spec.value;
  const rest = path.slice(forwardIndex(path, prefix.length));
  const base = rewrite.endsWith("/") ? rewrite.slice(0, -1) : rewrite;
  ex.upstreamPath = rest === "" ? rewrite : `${base}${rest}`;
}

/**
 * `request_body_filter`: runs after `request_filter` allowed the request. The body is streamed,
 * never buffered: this returns the stream to forward, or `null` when the request has no body
 * (HTTP/1.x: not chunked, and no or zero Content-Length; HTTP/2: the HEADERS frame ended the
 * stream, RFC 9113 §8.1). A body whose length is not declared up front (chunked, or HTTP/2
 * without Content-Length) under a `request-size` limit is counted on the way (see BodyLimit); a
 * declared Content-Length was checked against it already. GET and HEAD bodies are forwarded like
 * any other, with the framing re-computed from the bytes sent (never a Content-Length without
 * its body).
 */
export function requestBodyFilter(ex: Exchange): Readable | null {
  // An upgrade request's body is the tunnel's first bytes (ex.upgradeHead), not an HTTP body.
  if (ex.upgrade !== null) return null;
  const req = ex.req;
  const scan = ex.scan!;
  if (ex.res.h2) {
    if ((req as Http2ServerRequest).stream.endAfterHeaders) return null;
    if (scan.contentLength !== null) return req;
  } else if (!scan.chunked) {
    return scan.contentLength !== null && scan.contentLength > 0 ? req : null;
  }
  if (ex.maxBodyBytes < 0) return req;
  const limit = new BodyLimit(ex.maxBodyBytes);
  req.pipe(limit);
  return limit;
}

/**
 * `upstream_peer`: picks the target of the route's upstream with its balancer (smooth weighted
 * round-robin, least requests with two random choices, or a ring hash of the request's
 * `hash_on` key — the client address is the canonical view's), skipping ejected and unhealthy
 * targets unless none is left (panic mode). A retry picks again from the upstream client,
 * excluding the target that failed.
 * @returns the target, or a Failure (`UPSTREAM_UNAVAILABLE`) when the upstream has no target
 */
export function upstreamPeer(ex: Exchange): CompiledTarget | Failure {
  const upstream = ex.upstream;
  const hashOn = upstream.hashOn;
  if (hashOn !== null) ex.hashKey = hashKeyOf(hashOn, ex.req.headers, ex.view.clientAddress);
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
 * hop-by-hop fields and those named in `Connection` removed (RFC 9110 §7.6.1) before anything
 * is added, so `Connection` can never remove what the node sets (case C23); underscored names
 * dropped (nginx `underscores_in_headers off`: CGI-style upstreams read `X_User` as `X-User`);
 * every identity header any policy of the table asserts removed (a client never supplies one,
 * on any route, case C21); policy header edits applied (credentials stripped, identity headers
 * set or removed); `X-Consumer-Id`/`X-Consumer-Name` set when a consumer was resolved (always
 * removed from the client's headers); `Content-Length` re-written from the parsed value;
 * `Host` = the target's `host:port` (as nginx `proxy_pass`, Kong `preserve_host=false`) or the
 * request's one authority with route `preserve_host`; forwarding headers set from the canonical
 * view, overwriting what the client sent: `X-Forwarded-For` = the client address and the
 * trusted hops after it (never what the client wrote left of them), `X-Real-IP` = the client
 * address, `Forwarded` = one RFC 7239 element (`for` the client address, `host`, `proto`),
 * `X-Forwarded-Proto` = http or https, `X-Forwarded-Host` = the request's one authority (HTTP/2:
 * `:authority`), `X-Forwarded-Port` = the listener port, `X-Forwarded-Prefix` = the stripped
 * prefix (if any); `Via` gets this hop appended (RFC 9110 §7.6.3); `X-Request-Id` set. HTTP/2
 * pseudo-headers are dropped.
 */
export function upstreamRequestFilter(ex: Exchange, target: CompiledTarget): OutgoingHeaders {
  const req = ex.req;
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
  const cl = ex.scan?.contentLength;
  if (cl !== null && cl !== undefined) out["content-length"] = String(cl);
  const view = ex.view;
  const authority = view.authority;
  // Route `preserve_host`: the client's Host goes on (Kong preserve_host, nginx `proxy_set_header Host $host`).
  out.host = ex.route!.preserveHost && authority !== "" ? authority : target.hostHeader;
  const fwd = view.forwardedFor;
  out["x-forwarded-for"] = fwd.length === 1 ? fwd[0]! : fwd.join(", ");
  out["x-real-ip"] = view.clientAddress;
  out.forwarded = forwardedElement(
    view.clientAddress === "" ? undefined : view.clientAddress,
    authority === "" ? undefined : authority,
    ex.tls,
  );
  out.via = viaValue(req.headers.via, req.httpVersion);
  out["x-forwarded-proto"] = ex.tls ? "https" : "http";
  if (authority !== "") out["x-forwarded-host"] = authority;
  const port = req.socket.localPort;
  if (port !== undefined) out["x-forwarded-port"] = String(port);
  if (ex.strippedPrefix !== "") out["x-forwarded-prefix"] = ex.strippedPrefix;
  out["x-request-id"] = ex.requestId;
  return out;
}

/**
 * The path sent upstream: the upstream's `path_prefix` (its base path) followed by the matched
 * path after `strip_prefix` / `prefix_rewrite`. Both parts are canonical (no dot segment, no
 * empty segment, no encoded delimiter but an allowed `%2F`), so the result never climbs above the
 * base path and never names another authority (case C07).
 */
export function upstreamTargetPath(ex: Exchange): string {
  const prefix = ex.upstream.pathPrefix;
  return (prefix === "" ? ex.upstreamPath : prefix + ex.upstreamPath) + ex.query;
}

/** Applies the response edits of the policies that allowed the request, and the response policies. */
function applyResponsePolicies(ex: Exchange, out: OutgoingHeaders, except: PolicyInstance | null = null): void {
  const edits = ex.responseEdits;
  if (edits !== null) for (const e of edits) Object.assign(out, e);
  if (ex.view.path === "") return; // refused before the request could be read: no policy context
  const policies = ex.route?.responsePolicies ?? ex.table?.globalResponsePolicies;
  if (policies === undefined) return;
  for (let i = 0; i < policies.length; i++) {
    const p = policies[i]!;
    if (p !== except) p.filterResponse!(ex, out);
  }
}

/**
 * `response_filter`: runs when the upstream response headers arrive (status >= 200, and the 101
 * of a WebSocket upgrade), before they are sent. Removes hop-by-hop fields and those named in
 * `Connection` (RFC 9110 §7.6.1), appends this hop to `Via` (RFC 9110 §7.6.3: the upstream
 * answered HTTP/1.1), adds the headers of the policies that allowed the request (e.g.
 * `RateLimit-*`), runs the route's response policies (security headers, CORS; a `headers`
 * policy may remove `Via`), sets `X-Request-Id`, and `Connection: close` while the node drains
 * for shutdown (HTTP/1.x).
 * @returns the headers to send to the client
 */
export function responseFilter(ex: Exchange, headers: HeaderValues): OutgoingHeaders {
  const out = withoutHopByHop(headers);
  out.via = viaValue(headers.via, "1.1");
  applyResponsePolicies(ex, out);
  out["x-request-id"] = ex.requestId;
  if (ex.services.closing && !ex.res.h2) out.connection = "close";
  return out;
}

/**
 * `logging`: runs exactly once per request when the response closes (sent, failed or the client
 * went away), whatever happened before. Releases the balancer slot and writes the access log
 * line (debug level): method, canonical path (never the query: it may hold a credential), route,
 * client address, status (499 when the client closed first, 101 for a tunnel), upstream target,
 * duration in ms, error code, consumer id and authentication methods. Counts the request in the node's traffic stats (status class,
 * latency bucket, security event: no allocation). Never logs header values.
 */
export function logging(ex: Exchange): void {
  const target = ex.target;
  if (ex.targetHeld) {
    ex.targetHeld = false;
    ex.upstream.balancer.release(target!.index);
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
  if (ex.shadow !== null) ex.shadow.primaryEnd(status);
  const log = ex.services.log;
  if (!log.isLevelEnabled("debug")) return;
  log.debug(
    {
      request_id: ex.requestId,
      method: ex.method,
      path: ex.view.path || ex.req.url?.split("?", 1)[0],
      route: ex.route?.id,
      client: ex.view.clientAddress || ex.req.socket.remoteAddress,
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
 * The security event type of a refusal the proxy makes itself (reading the request, its size),
 * `null` for errors that are not security refusals. Policy refusals are emitted when the policy
 * denies, with the policy's own reason (see {@link deny}), so they are not mapped here.
 */
export function securityEventType(code: ErrorCode): SecurityEventType | null {
  switch (code) {
    case "BAD_REQUEST":
    case "PATH_INVALID":
      return "request_rejected";
    case "IP_FORBIDDEN":
      return "ip_denied";
    case "CORS_FORBIDDEN":
      return "cors_rejected";
    case "RATE_LIMITED":
    case "RATE_LIMIT_UNAVAILABLE":
      return "rate_limited";
    case "PAYLOAD_TOO_LARGE":
    case "URI_TOO_LONG":
    case "HEADERS_TOO_LARGE":
      return "request_too_large";
    default:
      return null;
  }
}

/**
 * Emits a refusal on the node's security event channel (never a credential, header value or
 * query), once per request.
 * @param reason a policy's SecurityReason, or the proxy's own refusal code (`path_dot_segment`)
 */
function emitSecurityEvent(
  ex: Exchange,
  policy: PolicyInstance | null,
  type: SecurityEventType,
  reason: string,
  code: ErrorCode,
  consumer: string | null,
): void {
  ex.eventEmitted = true;
  ex.services.events.emit({
    type,
    reason,
    time: Date.now(),
    code,
    status: ERRORS[code].status,
    requestId: ex.requestId,
    route: ex.route?.id ?? null,
    policy: policy?.id ?? null,
    policyType: policy?.type ?? null,
    consumer: consumer ?? ex.consumer?.id ?? null,
    clientAddress: ex.view.clientAddress || ex.req.socket.remoteAddress || null,
    method: ex.method,
    path: ex.view.path || null,
  });
}

/**
 * `fail_to_proxy`: the one error path. Maps a Failure to its registry entry and answers with
 * `{"error":{"code","message","request_id"}}` (JSON, the registry's message only), with the
 * response policies' edits (security headers, CORS for allowed origins). A refusal the proxy
 * makes itself is emitted as a security event (a policy's was emitted when it denied). When the
 * request has a body not read to its end (HTTP/1.x) the answer carries `Connection: close`
 * (the rest of the body is never parsed as a next request, and an oversized upload is not read
 * to its end). When the response has already started, the connection (HTTP/2: the stream) is
 * cut instead (a truncated response, never a spliced one). Upstream and internal causes are
 * logged at warn, client errors at debug; the cause never reaches the wire. Idempotent: only the
 * first failure of a request counts.
 */
export function failToProxy(ex: Exchange, failure: Failure): void {
  if (ex.errorCode !== undefined) return;
  ex.errorCode = failure.code;
  const spec = ERRORS[failure.code];
  const log = ex.services.log;
  const eventType = ex.eventEmitted ? null : securityEventType(failure.code);
  if (eventType !== null) {
    const reason = typeof failure.cause === "string" ? failure.cause : failure.code.toLowerCase();
    emitSecurityEvent(ex, ex.deniedBy, eventType, reason, failure.code, null);
  }
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
  const body = errorBody(failure.code, ex.requestId, failure.field);
  const headers: OutgoingHeaders = {
    "content-type": "application/json",
    "cache-control": "no-store",
  };
  if (failure.headers !== null) Object.assign(headers, failure.headers);
  // The policy that refused the request does not decorate its own refusal (a refused CORS
  // preflight carries no CORS header); the others do (HSTS, CORS on a 401 or 429).
  applyResponsePolicies(ex, headers, ex.deniedBy);
  headers["content-length"] = String(Buffer.byteLength(body));
  headers["x-request-id"] = ex.requestId;
  if (!res.h2) {
    if (ex.services.closing) headers.connection = "close";
    const req = ex.req as IncomingMessage;
    if (!req.complete && hasBody(req) && !(req as { upgrade?: boolean }).upgrade) {
      headers.connection = "close";
      lingerAfterAnswer(ex);
    }
  }
  res.writeHead(spec.status, headers);
  if (ex.method === "HEAD") res.end();
  else res.end(body);
}

/**
 * Whether an HTTP/1.x request has a body (RFC 9112 §6.3: one without Transfer-Encoding and
 * Content-Length, or with Content-Length 0, has none). node marks even a bodiless request
 * `complete` only after the handler returned, so a synchronous refusal of a GET must not take
 * that for an unread body: it would close every keep-alive connection that meets a 401/403/429.
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** How long the unread rest of a refused request is read and dropped before the socket closes, ms. */
const LINGER_MS = 2_000;

/**
 * Lingering close (nginx `lingering_close`), HTTP/1.x: when the node answers before the request
 * body was read (a 401 or 413 while an upload still streams), closing at once would reset the
 * connection with unread bytes in flight, and a reset can destroy the answer in the client's
 * buffers before it reads it. Instead the answer is sent with `Connection: close`, the write side
 * is shut (FIN) and the remaining bytes are read and dropped until the client closes or
 * `LINGER_MS` passes.
 */
function lingerAfterAnswer(ex: Exchange): void {
  const req = ex.req;
  const socket = req.socket;
  req.resume(); // drop what remains of the body (also after a body limit unpiped it)
  // node:http calls destroySoon() once a `Connection: close` answer is flushed: shut down
  // gracefully instead, and destroy when the client closes or the linger time runs out.
  (socket as { destroySoon?: () => void }).destroySoon = function lingeringClose(this: typeof socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
    this.once("end", () => this.destroy());
  };
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "string") return cause;
  const e = cause as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : undefined;
  return code && message ? `${code}: ${message}` : (code ?? message ?? String(cause));
}
