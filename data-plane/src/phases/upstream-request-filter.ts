import type { Readable } from "node:stream";
import type { CompiledTarget } from "../config/runtime-table.js";
import { type FieldNameMatcher, NameList } from "../http/bytes.js";
import { selectForwarded } from "../http/field-copy.js";
import { WRITER_OWNED } from "../http/header-block.js";
import type { HeaderValues, OutgoingHeaders } from "../http/headers.js";
import { RequestBody } from "../http/request-body.js";
import type { UpstreamRequest } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";
import { forwardedElement, viaValue } from "../proxy/forwarded.js";
import { connectionTokens } from "../proxy/hop-by-hop.js";
import { traceparentOf } from "../telemetry/trace-context.js";

/**
 * `upstream_request_filter`: builds the upstream request from the client's. The client's field
 * lines are forwarded byte for byte (no header object is built) except: the hop-by-hop fields and
 * those named in `Connection` (RFC 9110 §7.6.1), so `Connection` can never remove what the node
 * sets (case C23); names holding `_` (nginx `underscores_in_headers off`: CGI-style upstreams
 * read `X_User` as `X-User`); every identity header any policy of the table asserts (a client
 * never supplies one, on any route, case C21) and the forwarding and consumer headers the node
 * sets itself (the table's `requestDrop`); and the names the authentications edited (credentials
 * stripped, claim headers set or removed). Then the node's own fields: `Host` = the target's
 * `host:port` (nginx `proxy_pass`, Kong `preserve_host=false`) or the request's one authority
 * with route `preserve_host`; the authentications' edits; `X-Consumer-Id`/`X-Consumer-Name` when
 * a consumer was resolved; `X-Forwarded-For` = the client address and the trusted hops after it
 * (never what the client wrote left of them), `X-Real-IP` = the client address, `Forwarded` =
 * one RFC 7239 element (`for`, `host`, `proto`), `X-Forwarded-Proto`, `X-Forwarded-Host` = the
 * request's one authority (HTTP/2: `:authority`), `X-Forwarded-Port` = the listener port,
 * `X-Forwarded-Prefix` = the stripped prefix (if any); `Via` with this hop appended (RFC 9110
 * §7.6.3); `X-Request-Id`; `traceparent` (the request's trace, the node's span as the parent) and
 * the client's `tracestate` beside a valid `traceparent` (W3C Trace Context). The framing (`Content-Length` from the parsed value, or chunked) is the
 * upstream client's. The path is the upstream's `path_prefix` and the matched path after
 * `strip_prefix`/`prefix_rewrite` (both canonical: it never climbs above the base path, case
 * C07), plus the query. Last, the chain's `upstreamRequest` hooks see the request as it leaves (a
 * mirror starts its shadow copy from exactly these headers).
 */
export function upstreamRequestFilter(ex: Exchange, target: CompiledTarget): void {
  const head = ex.downstream.head;
  const out: OutgoingHeaders = {};
  const view = ex.view;
  const authority = view.authority;
  // Route `preserve_host`: the client's Host goes on (Kong preserve_host, nginx `proxy_set_header Host $host`).
  out.host = ex.route!.preserveHost && authority !== "" ? authority : target.hostHeader;
  let owned: string[] | null = head.connectionNamesFields ? connectionTokens(head.get("connection")) : null;
  const edits = ex.edits;
  if (edits !== null) {
    for (const e of edits) {
      for (const name in e) {
        const v = e[name];
        if (v === null || v === undefined) delete out[name];
        else out[name] = v;
        if (owned === null) owned = [name];
        else owned.push(name);
      }
    }
  }
  // The upstream client frames the body from it (a tap of the body is a stream of unknown length).
  const length = head.contentLength;
  if (length !== null && ex.forwardBody !== null) out["content-length"] = String(length);
  const consumer = ex.consumer;
  if (consumer !== null) {
    out["x-consumer-id"] = consumer.id;
    out["x-consumer-name"] = consumer.name;
  }
  const fwd = view.forwardedFor;
  out["x-forwarded-for"] = fwd.length === 1 ? fwd[0]! : fwd.join(", ");
  out["x-real-ip"] = view.clientAddress;
  out.forwarded = forwardedElement(
    view.clientAddress === "" ? undefined : view.clientAddress,
    authority === "" ? undefined : authority,
    ex.tls,
  );
  out.via = viaValue(head.get("via"), head.version);
  out["x-forwarded-proto"] = ex.tls ? "https" : "http";
  if (authority !== "") out["x-forwarded-host"] = authority;
  const port = ex.downstream.socket.localPort;
  if (port !== undefined) out["x-forwarded-port"] = String(port);
  if (ex.strippedPrefix !== "") out["x-forwarded-prefix"] = ex.strippedPrefix;
  out["x-request-id"] = ex.requestId;
  const trace = ex.trace;
  out.traceparent = traceparentOf(trace);
  if (trace.traceState !== null) out.tracestate = trace.traceState;
  ex.upstreamHeaders = out;
  const drop = ex.table!.requestDrop;
  const ownedNames = owned === null ? null : new NameList(owned);
  ex.forward = selectForwarded(head, drop, ownedNames, true);
  const prefix = ex.upstream.pathPrefix;
  ex.forwardPath = (prefix === "" ? ex.upstreamPath : prefix + ex.upstreamPath) + ex.query;
  const hooks = ex.route!.hooks.upstreamRequest;
  if (hooks.length === 0) return;
  const up = new LeavingRequest(ex, ownedNames);
  for (let i = 0; i < hooks.length; i++) hooks[i]!.upstreamRequest!(ex, up);
}

/** The upstream request as `upstreamRequest` hooks see it (made only for routes that have one). */
class LeavingRequest implements UpstreamRequest {
  readonly #ex: Exchange;
  readonly #owned: FieldNameMatcher | null;

  constructor(ex: Exchange, owned: FieldNameMatcher | null) {
    this.#ex = ex;
    this.#owned = owned;
  }

  get routeId(): string {
    return this.#ex.routeId;
  }

  get method(): string {
    return this.#ex.method;
  }

  get upstreamPath(): string {
    return this.#ex.upstreamPath;
  }

  get query(): string {
    return this.#ex.query;
  }

  get upgrade(): boolean {
    return this.#ex.upgrade !== null;
  }

  get contentLength(): number | null {
    return this.#ex.downstream.head.contentLength;
  }

  get preserveHost(): boolean {
    return this.#ex.route!.preserveHost;
  }

  get clientAuthority(): string {
    return this.#ex.view.authority;
  }

  headers(): HeaderValues {
    const ex = this.#ex;
    const head = ex.downstream.head;
    const drop = ex.table!.requestDrop;
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < head.size; i++) {
      if (head.nameIn(i, WRITER_OWNED) || head.nameIn(i, drop) || head.nameHas(i, 0x5f)) continue;
      if (this.#owned !== null && head.nameIn(i, this.#owned)) continue;
      const name = head.lowerNameAt(i);
      const value = head.valueAt(i);
      const seen = out[name];
      out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return Object.assign(out, ex.upstreamHeaders);
  }

  body(): Readable | null {
    const b = this.#ex.forwardBody;
    if (b === null || !(b instanceof RequestBody)) return b;
    const readable = b.toReadable();
    this.#ex.forwardBody = readable;
    return readable;
  }

  replaceBody(body: Readable): void {
    this.#ex.forwardBody = body;
  }
}
