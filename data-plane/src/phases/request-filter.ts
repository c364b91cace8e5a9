import type { CompiledRoute, RuntimeTable } from "../config/runtime-table.js";
import { Failure } from "../errors.js";
import { CHALLENGES } from "../policies/auth/deny.js";
import type { PhaseOutcome, Policy, Verdict } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";
import type { H2Head } from "../proxy/h2-downstream.js";
import { isWebSocketUpgrade } from "../proxy/websocket.js";
import { resolveAuthority } from "../request/authority.js";
import { resolveClientAddress } from "../request/client-address.js";
import { scanHeaders } from "../request/framing.js";
import { requestView } from "../request/request-view.js";
import { parseRequestTarget } from "../request/target.js";
import { RequestMatchFields } from "../router/match-request.js";
import { type CanonicalPath, canonicalizePath, forwardIndex } from "../router/path.js";
import { checkOtherReadings } from "../router/path-readings.js";
import type { MatchRequest } from "../router/route-conditions.js";
import type { PathSpec } from "../router/router.js";

const NO_CONFIG = new Failure("NO_CONFIG");
const AUTH_AMBIGUOUS = new Failure(
  "AUTH_AMBIGUOUS",
  Object.freeze({ "www-authenticate": CHALLENGES.bearerRequest }),
  "credential_ambiguous",
);
const HOST_DUPLICATE = new Failure("BAD_REQUEST", null, "host_duplicate");
const UPGRADE_WITH_BODY = new Failure("BAD_REQUEST", null, "upgrade_with_body");
const ROUTE_NOT_FOUND = new Failure("ROUTE_NOT_FOUND");

/**
 * `request_filter`: runs first, once the request's head is read. The HTTP/1.1 engine already
 * refused what breaks RFC 9112 framing (CL+TE, a bad or duplicate Content-Length, a coding other
 * than `chunked`, obs-fold, bare LF, more header fields or bytes than the limits, a version
 * other than 1.0/1.1, CONNECT); HTTP/2 requests are checked here with request/framing.ts. Then:
 * two `Host` lines (400) or two `Authorization` lines (400 `AUTH_AMBIGUOUS`, RFC 6750 §2); an
 * upgrade that is not a WebSocket and carries a body (400); the request's one canonical view —
 * a target that is origin- or absolute-form, a `Host` present on HTTP/1.1, valid and in
 * agreement with the target's authority (HTTP/2: `:authority`), a path the canonicalizer accepts
 * (`PATH_INVALID`), the client address (trusted proxies); the route, matched on the canonical
 * path (and the header, query and cookie conditions of the routes that path selects; a template
 * or regex path's captured values go to `ex.pathParams`), with its path settings (merged slashes, encoded characters, the other readings of `;`
 * and delimiter escapes) and rewriting (`strip_prefix` or `prefix_rewrite`). Then the chain's
 * `requestHeaders` hooks run in order — the global policies, then the route's, preceded by the
 * host's mTLS policy when the host requires a client certificate and the chain does not already
 * check one (config/host-policies.ts); a CORS preflight runs the preflight chain instead. The
 * first answer ends it: a refusal is emitted as a security event. The node-wide guards (the
 * anomaly decisions: 403 `ANOMALY_DENIED`, 429 `ANOMALY_THROTTLED`) run once the client address
 * is known, before routing, and again after the chain when an authentication named a consumer.
 * @returns `undefined` to go on, a Failure to answer with its error, a policy's Reply, or a
 *   promise of one when a policy is asynchronous (a JWT not in the verification cache, a remote
 *   rate limit)
 */
export function requestFilter(ex: Exchange): PhaseOutcome | Promise<PhaseOutcome> {
  const d = ex.downstream;
  const head = d.head;
  const method = head.method;
  if (d.http2) {
    // HTTP/2 (node:http2 decoded the fields): the framing rules of request/framing.ts, for
    // HTTP/2 only; nghttp2 bounds the header list itself.
    const scan = scanHeaders(head.rawPairs(), 2, 0, method, true);
    if (typeof scan === "string") return refuseFraming(ex, scan);
  } else if (head.hostCount > 1) return HOST_DUPLICATE;
  else if (head.authorizationCount > 1) return refuseFraming(ex, "authorization_duplicate");
  if (head.upgrade) {
    if (isWebSocketUpgrade(head)) ex.upgrade = "websocket";
    // Any other upgrade (h2c) is served as a plain request (`Upgrade` is hop-by-hop) when it
    // has no body: its bytes would be the other protocol's.
    else if (head.hasBody) return UPGRADE_WITH_BODY;
  }
  const table = ex.table;
  if (table === undefined) return NO_CONFIG;
  const target = parseRequestTarget(head.target);
  if (typeof target === "string") return new Failure("BAD_REQUEST", null, target);
  // HTTP/2: `:authority` plays the part of an absolute-form authority (RFC 9113 §8.3.1): a `Host`
  // naming another host is refused, and a request needs one of the two.
  const h2Authority = d.http2 ? (head as H2Head).authority : null;
  const authority = d.http2
    ? resolveAuthority(h2Authority, "https", head.hosts, h2Authority === null)
    : resolveAuthority(target.authority, target.scheme, head.hosts, head.version === "1.1");
  if (typeof authority === "string") return new Failure("BAD_REQUEST", null, authority);
  const canon = canonicalizePath(target.rawPath, table.pathOptions);
  if (typeof canon === "string") return new Failure("PATH_INVALID", null, canon);
  const trusted = ex.services.trustedProxies;
  const client = resolveClientAddress(
    d.socket.remoteAddress,
    trusted === null ? undefined : head.get(trusted.header),
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
    peerTrusted: client.peerTrusted,
    forwardedFor: client.chain,
  });
  ex.query = target.query;
  // Node-wide guards (the anomaly decisions) first: a denied client costs no route match.
  const guards = ex.services.guards;
  if (guards.length > 0) {
    const refused = runGuards(ex, guards);
    if (refused !== undefined) return refused;
  }
  // Header, query and cookie conditions read the request only for the routes the path selected.
  const fields = new RequestMatchFields(head, target.query);
  const m = table.router.match(method, authority.host, canon.match, fields);
  if (m === undefined) return ROUTE_NOT_FOUND;
  const route = m.route;
  ex.route = route;
  ex.matchedPath = m.path;
  if (m.params !== undefined) ex.pathParams = m.params;
  if (canon.mergedSlashes && !route.mergeSlashes) return new Failure("PATH_INVALID", null, "path_empty_segment");
  if (canon.keptEscapes !== null || canon.delimiters || route.refuseEncoded.length > 0) {
    const refused = checkRoutePath(table, route, method, authority.host, canon, fields);
    if (refused !== undefined) return new Failure("PATH_INVALID", null, refused);
  }
  if (route.stripPrefix) stripPrefix(ex, m.path);
  else if (route.prefixRewrite !== null) rewritePrefix(ex, m.path, route.prefixRewrite);
  else ex.upstreamPath = canon.path;
  if (route.preflight !== null && method === "OPTIONS") {
    // A preflight never reaches the upstream and browsers send it without credentials.
    if (head.has("origin") && head.has("access-control-request-method"))
      return route.preflight.length === 0 ? undefined : runChain(ex, route.preflight, 0);
  }
  let chain = route.hooks.requestHeaders;
  // A name that requires a client certificate requires it on every route that serves it.
  const required = table.hostPolicies.lookup(authority.host);
  if (required !== undefined && !route.policies.some((p) => required.members.has(p)))
    chain = [required.policy, ...chain];
  if (chain.length === 0) return undefined;
  const out = runChain(ex, chain, 0);
  if (guards.length === 0) return out;
  // An authentication named a consumer: the guards look again (a decision about that consumer).
  if (out instanceof Promise)
    return out.then((o) => (o === undefined && ex.consumer !== null ? runGuards(ex, guards) : o));
  return out === undefined && ex.consumer !== null ? runGuards(ex, guards) : out;
}

/** Runs the node-wide guards' `requestHeaders` hooks (synchronous); the first answer ends it. */
function runGuards(ex: Exchange, guards: readonly Policy[]): PhaseOutcome {
  for (let i = 0; i < guards.length; i++) {
    const g = guards[i]!;
    const v = g.requestHeaders!(ex) as Verdict;
    if (v !== undefined) return ex.answerOf(g, v);
  }
  return undefined;
}

/** Runs the `requestHeaders` hooks of `chain` from `from` on; the first answer ends it. */
function runChain(ex: Exchange, chain: readonly Policy[], from: number): PhaseOutcome | Promise<PhaseOutcome> {
  for (let i = from; i < chain.length; i++) {
    const policy = chain[i]!;
    const v = policy.requestHeaders!(ex);
    if (v instanceof Promise)
      return v.then((o) => (o === undefined ? runChain(ex, chain, i + 1) : ex.answerOf(policy, o)));
    if (v !== undefined) return ex.answerOf(policy, v);
  }
  return undefined;
}

/** A framing refusal of request/framing.ts: two `Authorization` lines are `AUTH_AMBIGUOUS` (and a security event of their own). */
function refuseFraming(ex: Exchange, reason: string): Failure {
  if (reason !== "authorization_duplicate") return new Failure("BAD_REQUEST", null, reason);
  ex.emitSecurityEvent(null, "credential_ambiguous", "credential_ambiguous", "AUTH_AMBIGUOUS", null);
  return AUTH_AMBIGUOUS;
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
  fields: MatchRequest,
): string | undefined {
  if (canon.keptEscapes !== null)
    for (const b of canon.keptEscapes)
      if (!route.allowEncoded.has(b)) return b === 0x2f ? "path_encoded_slash" : "path_encoded_delimiter";
  for (const e of route.refuseEncoded) if (canon.path.includes(e)) return "path_encoded_refused";
  if (!canon.delimiters) return undefined;
  return checkOtherReadings(
    canon.path,
    table.pathOptions,
    (m) => table.router.match(method, host, m, fields)?.route === route,
  );
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
