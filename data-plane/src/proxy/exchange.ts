import type { Duplex, Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { Dispatcher } from "undici";
import type {
  CompiledRoute,
  CompiledTarget,
  CompiledUpstream,
  RouteUpstream,
  RuntimeTable,
} from "../config/runtime-table.js";
import { ERRORS, type ErrorCode, Failure } from "../errors.js";
import {
  eventTypeOf,
  type SecurityEvents,
  type SecurityEventType,
  WAF_EVENT_TYPES,
  type WafEventDetail,
} from "../events/security-events.js";
import type { ForwardedFields } from "../http/field-copy.js";
import type { HeaderValues, OutgoingHeaders } from "../http/headers.js";
import type { HttpRequestError } from "../http/http-error.js";
import type { RequestBody } from "../http/request-body.js";
import type { ResponseFields } from "../http/response-fields.js";
import type { ResponseHead } from "../http/response-parser.js";
import type { Logger } from "../log.js";
import { removeQueryParams } from "../policies/auth/credential-sources.js";
import type {
  Answer,
  Authentication,
  ConsumerRef,
  HeaderEdits,
  LoggedExchange,
  Policy,
  PolicyEvent,
  PolicyExchange,
  Recorder,
  Reply,
} from "../policies/contract.js";
import type { TrustedProxies } from "../request/client-address.js";
import { type RequestView, requestView } from "../request/request-view.js";
import type { PathParams } from "../router/path-pattern.js";
import type { PathSpec } from "../router/router.js";
import type { AccessLog } from "../telemetry/access-log.js";
import type { SpanExport } from "../telemetry/span-exporter.js";
import { type TraceContext, traceContextOf } from "../telemetry/trace-context.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { UpstreamCall } from "../upstream/dispatch/upstream-call.js";
import type { PoolManager, PoolSpec } from "../upstream/pool-manager.js";
import type { TimeoutsMs } from "../upstream/timeouts.js";
import type { Downstream, DownstreamListener } from "./downstream.js";
import { requestIdFrom } from "./request-id.js";

/** What every exchange of one proxy server shares. */
export interface ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  /** True once the server drains for shutdown. */
  readonly closing: boolean;
  /** The node's security event channel (every refusal is emitted here). */
  readonly events: SecurityEvents;
  /** Traffic counters fed by the `logging` phase (optional: tests without telemetry). */
  readonly stats?: TrafficStats | undefined;
  /** Trusted proxies for the client address, `null` when none are configured. */
  readonly trustedProxies: TrustedProxies | null;
  /** The default body limit (`--max-body-bytes`; 0 = none). */
  readonly limits: { readonly maxBodyBytes: number };
  /** Node-wide recorders (the anomaly detector's): their `log` runs after the chain's. */
  readonly recorders: readonly Recorder[];
  /** The access log the `logging` phase writes (`null`: none, the debug line only). */
  readonly accessLog?: AccessLog | null;
  /** Probability (0–1) that a trace started by the node is sampled (W3C flag); default 0. */
  readonly traceSampleRatio?: number;
  /** Where the `logging` phase records the server span of a sampled request (`null`: export off). */
  readonly spans?: SpanExport | null;
  /**
   * Node-wide policies whose `requestHeaders` hook runs first in `request_filter`, once the client
   * address is known (before routing), and again after the route's chain when an authentication
   * named a consumer: the anomaly decisions (anomaly/decision-guard.ts). Synchronous.
   */
  readonly guards: readonly Policy[];
  /** A client connection became a tunnel (WebSocket): it is cut at the shutdown deadline. */
  tunnelOpened(client: Duplex): void;
}

/**
 * What an exchange reports to the request loop (proxy-loop.ts implements it): the events of its
 * upstream exchange (undici's dispatch handler callbacks, the engine's lazy head) and of its
 * client side. The exchange decides nothing: the loop does.
 */
export interface ExchangeEvents {
  /** The upstream's final response head arrived (status ≥ 200). */
  upstreamResponse(ex: Exchange, head: ResponseHead): void;
  upstreamData(ex: Exchange, chunk: Buffer): void;
  upstreamEnd(ex: Exchange): void;
  /** The upstream exchange failed (any layer: connect, timeout, bad response, breaker, abort). */
  upstreamFailed(ex: Exchange, err: Error): void;
  /** The upstream switched protocols (101): `socket` is its connection, handed over. */
  upstreamUpgrade(ex: Exchange, head: ResponseHead, socket: Duplex): void;
  /** The request broke after its head (`err`), or the client left (`null`). */
  requestAborted(ex: Exchange, err: HttpRequestError | null): void;
  /** The client drained: the response may be written again. */
  clientDrained(ex: Exchange): void;
  /** The exchange is over (answered, cut, or the client left): logging. */
  exchangeEnded(ex: Exchange): void;
}

/** The view of a request refused before its view was built (fields empty; shared, so frozen). */
export const EMPTY_VIEW: RequestView = Object.freeze(
  requestView({
    method: "",
    path: "",
    matchPath: "",
    query: "",
    host: "",
    authority: "",
    clientAddress: "",
    peerAddress: "",
    peerTrusted: false,
    forwardedFor: [],
  }),
);

const NO_HEADERS: OutgoingHeaders = Object.freeze({}) as OutgoingHeaders;

/**
 * One request's state through the request loop: what the phases decided (view, route, target,
 * upstream request), what policies did (`PolicyExchange`), and the two adapters that turn the
 * outside world's callbacks into loop events — the client side's listener (the engine's
 * `ServerExchange`, or an HTTP/2 stream) and the upstream client's dispatch handler. It imports
 * no phase and not the loop: the loop reads and writes its fields.
 */
export class Exchange
  implements PolicyExchange, LoggedExchange, UpstreamCall, Dispatcher.DispatchHandler, DownstreamListener
{
  readonly downstream: Downstream;
  readonly services: ProxyServices;
  readonly #loop: ExchangeEvents;
  /** The table this request runs on, read once at the start. */
  readonly table: RuntimeTable | undefined;
  readonly requestId: string;
  /** performance.now() at the start, ms. */
  readonly startedAt: number;
  /** The client connection is TLS (the HTTPS listener; always so for HTTP/2). */
  readonly tls: boolean;
  /** The canonical view, set once by `request_filter` (EMPTY_VIEW before, or when refused first). */
  view: RequestView = EMPTY_VIEW;
  /** Raw query string sent upstream, `""` or `"?..."` (authentication may strip parameters). */
  query = "";
  route: CompiledRoute | undefined = undefined;
  /** Values the matched route's template or regex path captured (`/users/{id}` → `{id: "7"}`), `null` for other paths. */
  pathParams: PathParams | null = null;
  /** The path matcher of the route that matched (a redirect's `prefix_rewrite` cuts what it matched). */
  matchedPath: PathSpec | null = null;
  /** The upstream a `canary` policy chose instead of the route's, `null` for the route's own. */
  upstreamChoice: RouteUpstream | null = null;
  /** Path sent upstream (after `strip_prefix` / `prefix_rewrite`). */
  upstreamPath = "";
  /** The prefix `strip_prefix` removed, `""` if none. */
  strippedPrefix = "";
  /** Request body limit in force, bytes (-1: none): settled by `request_body_filter`. */
  bodyLimit = -1;
  /** The policy that refused or answered the request (it does not decorate its own answer), `null` when none. */
  deniedBy: Policy | null = null;
  /** The consumer the request authenticated as (first authentication policy that resolved one). */
  consumer: ConsumerRef | null = null;
  /** Authentication methods that accepted the request, in chain order. */
  authMethods: string[] | null = null;
  /** Upstream header edits of the authentications, in chain order. */
  edits: HeaderEdits[] | null = null;
  /** Policy states (`setState`): policy, value, policy, value… */
  #state: unknown[] | null = null;
  #headers: HeaderValues | undefined;

  // --- the upstream request (UpstreamCall) ------------------------------------------------------

  /** The target of the current upstream attempt. */
  target: CompiledTarget | undefined = undefined;
  /** The balancer counts this request on `target` and no attempt took the release over. */
  targetHeld = false;
  /** Hash of the balancing key (ring hash), or -1. */
  hashKey = -1;
  /** Path and query sent upstream (set by `upstream_request_filter`). */
  forwardPath = "";
  /** The upstream request headers the node sets (set by `upstream_request_filter`). */
  upstreamHeaders: OutgoingHeaders = NO_HEADERS;
  /** The client's lines forwarded byte for byte (set by `upstream_request_filter`). */
  forward: ForwardedFields | null = null;
  /** The body forwarded upstream: the client's, a policy's tap of it, or `null`. */
  forwardBody: RequestBody | Readable | null = null;
  /** The protocol a WebSocket request upgrades to (`websocket`), or `null`. */
  upgrade: string | null = null;

  // --- the answer --------------------------------------------------------------------------------

  /** The upstream's status, 0 before (or without) one. */
  upstreamStatus = 0;
  /** Set by fail_to_proxy: the registry code of the node's own error answer. */
  errorCode: ErrorCode | undefined = undefined;
  /** A security event was emitted for this request's refusal (fail_to_proxy then emits none). */
  eventEmitted = false;
  /** The reason code of the request's security refusal (`token_expired`, `path_dot_segment`), `null` when none. */
  securityReason: string | null = null;
  /** performance.now() when the first upstream attempt started, ms; -1 when none did. */
  upstreamStartedAt = -1;
  /** performance.now() when the upstream exchange ended (or failed), ms; -1 before. */
  upstreamEndedAt = -1;
  /** The connection became a tunnel (101 sent). */
  upgraded = false;
  /** The client left before the exchange was over. */
  clientClosed = false;
  /** Response body bytes handed to the client. */
  responseBytes = 0;
  /** A response held for `responseBody` hooks: its head and the body bytes so far (response_body_filter). */
  held: ResponseFields | null = null;
  heldBody: Buffer[] | null = null;
  heldBytes = 0;
  #controller: Dispatcher.DispatchController | null = null;
  #upstreamDone = false;
  #trace: TraceContext | null = null;

  constructor(downstream: Downstream, table: RuntimeTable | undefined, services: ProxyServices, loop: ExchangeEvents) {
    this.downstream = downstream;
    this.table = table;
    this.services = services;
    this.#loop = loop;
    this.startedAt = performance.now();
    const head = downstream.head;
    this.requestId = requestIdFrom(head.get("x-request-id"));
    downstream.requestId = this.requestId;
    this.tls = downstream.http2 || (downstream.socket as TLSSocket).encrypted === true;
    downstream.listener = this;
  }

  // --- PolicyRequest -------------------------------------------------------------------------------

  get method(): string {
    return this.downstream.head.method;
  }

  get path(): string {
    return this.view.path;
  }

  get fields(): Downstream["head"] {
    return this.downstream.head;
  }

  get headers(): HeaderValues {
    this.#headers ??= this.downstream.head.toObject();
    return this.#headers;
  }

  /** Id of the matched route (`""` before routing). */
  get routeId(): string {
    return this.route?.id ?? "";
  }

  get socket(): TLSSocket | { readonly encrypted?: undefined } {
    return this.downstream.socket as TLSSocket;
  }

  get requestTarget(): string {
    return this.downstream.head.target;
  }

  get httpVersion(): string {
    return this.downstream.head.version;
  }

  /**
   * The request's W3C trace context (telemetry/trace-context.ts), read from its `traceparent` and
   * `tracestate` on first use: the incoming trace when valid, else a new one. The incoming
   * sampled flag is kept only from a trusted proxy; a client's is replaced by the node's own
   * decision (`--trace-sample-ratio`), so clients cannot have every request exported.
   */
  get trace(): TraceContext {
    this.#trace ??= traceContextOf(
      this.downstream.head.get("traceparent"),
      this.downstream.head.get("tracestate"),
      this.services.traceSampleRatio ?? 0,
      this.view.peerTrusted,
    );
    return this.#trace;
  }

  // --- PolicyExchange -------------------------------------------------------------------------------

  authenticated(auth: Authentication): void {
    if (this.authMethods === null) this.authMethods = [auth.authMethod];
    else this.authMethods.push(auth.authMethod);
    if (this.consumer === null && auth.consumer !== null) this.consumer = auth.consumer;
    const edits = auth.upstreamHeaders;
    if (edits !== null) {
      if (this.edits === null) this.edits = [edits];
      else this.edits.push(edits);
    }
    if (auth.stripQuery !== null) this.query = removeQueryParams(this.query, auth.stripQuery);
  }

  routeTo(upstreamId: string): void {
    this.upstreamChoice = this.route?.alternates.get(upstreamId) ?? null;
  }

  stateOf(policy: Policy): unknown {
    const s = this.#state;
    if (s === null) return undefined;
    for (let i = 0; i < s.length; i += 2) if (s[i] === policy) return s[i + 1];
    return undefined;
  }

  setState(policy: Policy, state: unknown): void {
    const s = this.#state;
    if (s === null) {
      this.#state = [policy, state];
      return;
    }
    for (let i = 0; i < s.length; i += 2) {
      if (s[i] === policy) {
        s[i + 1] = state;
        return;
      }
    }
    s.push(policy, state);
  }

  /**
   * A policy's answer to this request: the policy is recorded as the one that answered (it does
   * not decorate its own answer); a refusal is emitted as a security event with the policy's
   * reason and becomes the request's Failure.
   */
  answerOf(policy: Policy, answer: Answer): Failure | Reply {
    this.deniedBy = policy;
    if (answer.kind === "reply") return answer;
    this.securityReason = answer.reason;
    // A refusal with an event id: the policy emits that event itself (securityEvent).
    if (answer.eventId === undefined)
      this.emitSecurityEvent(
        policy,
        eventTypeOf(answer.reason),
        answer.reason,
        answer.code,
        answer.consumer?.id ?? null,
      );
    else this.eventEmitted = true;
    return new Failure(answer.code, answer.headers, answer.reason, answer.field ?? null, answer.eventId ?? null);
  }

  /**
   * A policy's own event (a WAF transaction): emitted with this request's facts and the status and
   * error code it got so far, and counted in the traffic counters by type (the reports'
   * `security_events`, the rollout gate's `security_event_rate:waf_blocked`).
   */
  securityEvent(policy: Policy, event: PolicyEvent): void {
    this.eventEmitted = true;
    if (WAF_EVENT_TYPES.includes(event.type)) this.services.stats?.countEvent(event.type);
    this.#emit(policy, event.type, event.reason, this.errorCode ?? "", this.consumer?.id ?? null, event.id, event.waf);
  }

  /**
   * Emits a refusal on the node's security event channel (never a credential, header value or
   * query), and marks it so fail_to_proxy emits none for the same request.
   * @param reason a policy's SecurityReason, or the proxy's own refusal code (`path_dot_segment`)
   */
  emitSecurityEvent(
    policy: Policy | null,
    type: SecurityEventType,
    reason: string,
    code: ErrorCode,
    consumer: string | null,
  ): void {
    this.eventEmitted = true;
    this.securityReason = reason;
    this.#emit(policy, type, reason, code, consumer, undefined, undefined);
  }

  #emit(
    policy: Policy | null,
    type: SecurityEventType,
    reason: string,
    code: ErrorCode | "",
    consumer: string | null,
    id: string | undefined,
    waf: WafEventDetail | undefined,
  ): void {
    this.services.events.emit({
      ...(id !== undefined ? { id } : {}),
      type,
      reason,
      time: Date.now(),
      code,
      status: code === "" ? this.status : ERRORS[code].status,
      requestId: this.requestId,
      route: this.route?.id ?? null,
      policy: policy?.id ?? null,
      policyType: policy?.type ?? null,
      consumer: consumer ?? this.consumer?.id ?? null,
      clientAddress: this.view.clientAddress || this.downstream.socket.remoteAddress || null,
      method: this.method,
      path: this.view.path || null,
      traceId: this.trace.traceId,
      ...(waf !== undefined ? { waf } : {}),
    });
  }

  // --- LoggedExchange ----------------------------------------------------------------------------------

  /** The status the client got: 101 for a tunnel, 499 when it left first. */
  get status(): number {
    if (this.upgraded) return 101;
    const d = this.downstream;
    if (d.headersSent && !d.cut && !this.clientClosed) return d.statusCode;
    return this.errorCode !== undefined ? ERRORS[this.errorCode].status : 499;
  }

  get upstreamId(): string {
    const r = this.route;
    return r === undefined || (r.upstream === null && this.upstreamChoice === null) ? "" : this.upstream.id;
  }

  get durationMs(): number {
    return performance.now() - this.startedAt;
  }

  get requestBytes(): number {
    return this.downstream.body?.received ?? 0;
  }

  // --- UpstreamCall (valid once a route matched) ----------------------------------------------------

  /**
   * The route's upstream, or the one its `canary` policy chose. A route without one (a redirect
   * or direct_response) answers in `upstream_peer` before anything reads this.
   */
  get upstream(): CompiledUpstream {
    const c = this.upstreamChoice;
    return c === null ? this.route!.upstream! : c.upstream;
  }

  get timeouts(): TimeoutsMs {
    const c = this.upstreamChoice;
    return c === null ? this.route!.timeouts : c.timeouts;
  }

  get poolSpecs(): readonly PoolSpec[] | null {
    const c = this.upstreamChoice;
    return c === null ? this.route!.poolSpecs : c.poolSpecs;
  }

  get preserveHost(): boolean {
    return this.route!.preserveHost;
  }

  get pools(): PoolManager {
    return this.services.pools;
  }

  /** Pauses the upstream response (the client's buffer is full). */
  pauseUpstream(): void {
    this.#controller?.pause();
  }

  /** Reads the upstream response again. */
  resumeUpstream(): void {
    this.#controller?.resume();
  }

  /** Aborts the upstream exchange if it still runs (its connection is never reused). */
  abortUpstream(reason: Error): void {
    if (!this.#upstreamDone && this.#controller !== null) this.#controller.abort(reason);
  }

  /** The upstream exchange is over (ended, failed or upgraded). */
  get upstreamDone(): boolean {
    return this.#upstreamDone;
  }

  // --- undici DispatchHandler: the upstream client's callbacks, as loop events -----------------------

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#controller = controller;
    if (this.upstreamStartedAt < 0) this.upstreamStartedAt = performance.now();
    if (this.clientClosed) controller.abort(CLIENT_CLOSED);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    _statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx interim responses are not relayed
    this.upstreamStatus = statusCode;
    this.#loop.upstreamResponse(this, headers as unknown as ResponseHead);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#loop.upstreamData(this, chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, _trailers: HeaderValues): void {
    this.#upstreamDone = true;
    this.upstreamEndedAt = performance.now();
    this.#controller = null;
    this.#loop.upstreamEnd(this);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    this.#upstreamDone = true;
    this.upstreamEndedAt = performance.now();
    this.#controller = null;
    this.#loop.upstreamFailed(this, err);
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    this.#upstreamDone = true;
    this.#controller = null;
    this.upstreamStatus = statusCode;
    this.#loop.upstreamUpgrade(this, headers as unknown as ResponseHead, socket);
  }

  // --- the client side's listener ------------------------------------------------------------------------

  onExchangeAbort(_downstream: unknown, err: HttpRequestError | null): void {
    if (err === null) this.clientClosed = true;
    this.#loop.requestAborted(this, err);
  }

  onExchangeDrain(_downstream: unknown): void {
    this.#loop.clientDrained(this);
  }

  onExchangeEnd(_downstream: unknown): void {
    this.#loop.exchangeEnded(this);
  }
}

/** The abort reason when the client left: a local abort, never held against the target. */
export const CLIENT_CLOSED: Error = Object.assign(new Error("client closed"), { code: "CLIENT_CLOSED" });
