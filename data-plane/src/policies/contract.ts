/**
 * The policy contract (issue 15 point 2), after Pingora's `ProxyHttp` trait: a policy is one
 * object with an optional hook per phase of the request loop and the traits it declares. The
 * loop (proxy-loop.ts) calls the hooks of a route's chain in chain order, in the order of its
 * phase table; an absent hook is the safe default (nothing happens). Every hook answers
 * {@link CONTINUE} or an {@link Answer}, synchronously when it can and with a promise only when it
 * must (a key server, a remote rate limit). Hooks must not throw: a throw is answered 500
 * `INTERNAL` (the loop catches it), never a crash.
 *
 *     request_filter         requestHeaders(ex)                  → continue | answer
 *     request_body_filter    requestBody(ex, body, complete)     → continue | answer  (traits.inspectsRequestBody)
 *     upstream_request_filter upstreamRequest(ex, up)            (sees the request as it goes upstream)
 *     response_filter        responseHeaders(ex, res)            → continue | answer  (edits res)
 *     response_body_filter   responseBody(ex, body, complete)    → continue | answer  (traits.inspectsResponseBody)
 *     logging                log(ex)                             (once, when the exchange is over)
 *
 * A policy knows nothing of the loop: it imports this file's types only. What it does to a request
 * it does through the {@link PolicyExchange} it is handed (an authentication, an upstream choice,
 * its own per-request state); what the loop must know before any request — which policies
 * authenticate, which only belong on a route, how large a body they let through — it declares
 * in {@link PolicyTraits}, read once at config compile.
 */
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { ErrorCode, Failure } from "../errors.js";
import type { SecurityEventType, SecurityReason, WafEventDetail } from "../events/security-events.js";
import type { HeaderFields, HeaderValues } from "../http/headers.js";
import type { ResponseFields } from "../http/response-fields.js";
import type { RequestView } from "../request/request-view.js";

/** A hook lets the request go on. */
export const CONTINUE = undefined;

/** A hook refuses the request: answered with the error `code` (errors.ts) and emitted as a security event. */
export interface Refusal {
  readonly kind: "refusal";
  readonly code: ErrorCode;
  /** The stable cause for the log and the security event (never sent, never secret). */
  readonly reason: SecurityReason;
  /** Extra headers of the error answer (`WWW-Authenticate`, `Retry-After`), or `null`. */
  readonly headers: Readonly<Record<string, string>> | null;
  /** The consumer when the credential resolved to one (e.g. a disabled consumer's key). */
  readonly consumer?: ConsumerRef | null;
  /** The error body's `field`: what is at fault, by its config name (the claim of an unsafe identity). */
  readonly field?: string;
  /**
   * The id of the security event this refusal belongs to, written into the error body as
   * `event_id` (a WAF block: the operator finds the rules that matched by it). With it the loop
   * emits no event of its own for the refusal: the policy emits it ({@link PolicyExchange.securityEvent}).
   */
  readonly eventId?: string;
}

/**
 * A security event a policy emits itself, beside the refusal events the loop emits: one with
 * detail of its own (a WAF match), or one without a refusal (a WAF detection in detect mode).
 * The exchange adds the request's facts (route, client, method, path, status, error code).
 */
export interface PolicyEvent {
  readonly type: SecurityEventType;
  readonly reason: SecurityReason;
  /** The event id (a UUID), as a refusal's `eventId` named it. */
  readonly id: string;
  readonly waf?: WafEventDetail;
}

/** A hook answers the request itself and it is not an error (a CORS preflight's 204): nothing is proxied. */
export interface Reply {
  readonly kind: "reply";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body (a route's `direct_response`); none when absent. */
  readonly body?: Buffer;
}

/** What ends a request early. */
export type Answer = Refusal | Reply;

/** What a hook returns: `undefined` ({@link CONTINUE}) to go on, or an {@link Answer}. */
export type Verdict = Answer | undefined;

/**
 * What a phase of the request loop ends with (the loop's side of a hook's {@link Verdict}): go on
 * (`undefined`), the node's refusal (a Failure: its error code, and the security event already
 * emitted for a policy's refusal), or a policy's own {@link Reply}. Shared by every phase, so no
 * phase imports another for it.
 */
export type PhaseOutcome = Failure | Reply | undefined;

/** A frozen {@link Refusal}. */
export function refusal(
  code: ErrorCode,
  reason: SecurityReason,
  headers: Readonly<Record<string, string>> | null = null,
  consumer: ConsumerRef | null = null,
  field?: string,
): Refusal {
  const r: Refusal =
    field === undefined
      ? { kind: "refusal", code, reason, headers, consumer }
      : { kind: "refusal", code, reason, headers, consumer, field };
  return Object.freeze(r);
}

/** A consumer an authentication policy resolved the request to. */
export interface ConsumerRef {
  readonly id: string;
  readonly name: string;
}

/** What a policy sees of a request: read-only, canonicalized by the proxy, headers read lazily. */
export interface PolicyRequest {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** Canonical path (no query), the one that is matched and forwarded (= `view.path`). */
  readonly path: string;
  /** Raw query string as received: `""` or `"?a=b"` (minus what authentication stripped). */
  readonly query: string;
  /** The canonical view of the request (path, query, host, client address). */
  readonly view: RequestView;
  /** Id of the matched route (`""` before routing). */
  readonly routeId: string;
  /**
   * The consumer an earlier authentication policy of the chain resolved, `null` when none did
   * (anonymous request, or no authentication policy before this one).
   */
  readonly consumer: ConsumerRef | null;
  /**
   * The request's header fields as received, read lazily: `get` (several lines joined with
   * `", "`), `count`, `getAll` compare names on the raw bytes; nothing is decoded that no one asks for.
   */
  readonly fields: HeaderFields;
  /**
   * The header object node:http would build (lower-case names, duplicates joined or dropped as
   * node does). Built on first read and kept for the request: prefer {@link fields}.
   */
  readonly headers: HeaderValues;
  /** The client connection: a TLSSocket on the HTTPS listener (client certificate, SNI). */
  readonly socket?: TLSSocket | { readonly encrypted?: undefined };
  /**
   * The request-target exactly as received (HTTP/2: `:path`), before any canonicalization:
   * what a WAF reads as REQUEST_URI_RAW (an evasion hides in the raw form).
   */
  readonly requestTarget: string;
  /** The HTTP version as received: `"1.0"`, `"1.1"` or `"2.0"`. */
  readonly httpVersion: string;
}

/** Header edits for the upstream request: lower-case name → value to set, or `null` to remove it whatever the client sent. */
export type HeaderEdits = Readonly<Record<string, string | null>>;

/** Edits that take a credential off the upstream request. */
export interface CredentialEdits {
  /** Upstream header edits (the credential's header removed, identity headers set or removed). */
  readonly upstreamHeaders: HeaderEdits | null;
  /** Query parameters (decoded names) removed before forwarding, e.g. a query-string token. */
  readonly stripQuery: readonly string[] | null;
}

/** A request an authentication policy accepted. */
export interface Authentication extends CredentialEdits {
  readonly kind: "authentication";
  /** The method that authenticated the request (`jwt`, `api-key`, `mtls`, `introspection`). */
  readonly authMethod: string;
  /** The consumer the credential resolved to, `null` when none. */
  readonly consumer: ConsumerRef | null;
}

/**
 * An authentication method (the `authenticates` trait): a CORS preflight skips the policy, and it
 * may be a member of an `auth-any` policy. Its `requestHeaders` hook is usually
 * {@link authenticationHook} of it.
 */
export interface Authenticator {
  /** Reads and checks the request's credential. Must not throw. */
  authenticate(req: PolicyRequest): Authentication | Refusal | Promise<Authentication | Refusal>;
  /**
   * The edits that remove this method's credential (and the identity headers it would set) from
   * the upstream request: `auth-any` applies them for the members that did not win, so no
   * unverified credential is forwarded.
   */
  withoutCredentials(req: PolicyRequest): CredentialEdits;
}

/**
 * The request as a policy may act on it in `request_filter`. Each action is recorded on the
 * request for the phases that follow; none is an error.
 */
export interface PolicyExchange extends PolicyRequest {
  /**
   * An authentication policy accepted the request: its method and consumer are recorded (the
   * first consumer resolved wins), its header edits apply to the upstream request in chain order,
   * its query parameters are stripped.
   */
  authenticated(auth: Authentication): void;
  /**
   * Sends the request to another upstream than the route's (`canary`): one of the policy's
   * `traits.routesTo`. The last choice wins.
   */
  routeTo(upstreamId: string): void;
  /** This request's state of `policy` (what an earlier hook of it kept), `undefined` when none. */
  stateOf(policy: Policy): unknown;
  /** Keeps a value for `policy`'s later hooks on this request (a WAF transaction, a rate-limit decision). */
  setState(policy: Policy, state: unknown): void;
  /** Emits `event` about this request on the node's security event channel (see {@link PolicyEvent}). */
  securityEvent(policy: Policy, event: PolicyEvent): void;
}

/** The upstream request as it leaves, for `upstreamRequest` hooks (a mirror copies it). */
export interface UpstreamRequest {
  readonly routeId: string;
  readonly method: string;
  /** Path sent upstream without the upstream's `path_prefix` (after strip_prefix / prefix_rewrite). */
  readonly upstreamPath: string;
  /** Query string sent upstream, `""` or `"?..."`. */
  readonly query: string;
  /** The request upgrades the connection (WebSocket): it has no HTTP body. */
  readonly upgrade: boolean;
  /** The declared body length, `null` when not declared (chunked, HTTP/2 without Content-Length). */
  readonly contentLength: number | null;
  /** Route `preserve_host`: the primary sends the client's authority (`clientAuthority`). */
  readonly preserveHost: boolean;
  readonly clientAuthority: string;
  /** The upstream request headers exactly as sent (credentials stripped, identity set), as an object built on this call. */
  headers(): HeaderValues;
  /** The body that goes upstream as a stream (the request's body from now on flows through it), or `null` when there is none. */
  body(): Readable | null;
  /** Sends `body` upstream instead (a pass-through of {@link body}: a tap that copies it). */
  replaceBody(body: Readable): void;
}

/** What the `logging` phase knows of an exchange that is over. */
export interface LoggedExchange extends PolicyRequest {
  /** This request's state of `policy` (see {@link PolicyExchange.setState}). */
  stateOf(policy: Policy): unknown;
  /** Emits `event` about this request (see {@link PolicyExchange.securityEvent}): a WAF records its transaction here. */
  securityEvent(policy: Policy, event: PolicyEvent): void;
  /** The status the client got: 499 when it left first, 101 for a tunnel. */
  readonly status: number;
  /** The upstream's status, 0 when no upstream answered. */
  readonly upstreamStatus: number;
  /** The registry code of the node's own error answer, `undefined` when there was none. */
  readonly errorCode: ErrorCode | undefined;
  /** Authentication methods that accepted the request, in chain order, `null` when none. */
  readonly authMethods: readonly string[] | null;
  /** Id of the upstream the request went to, `""` when none. */
  readonly upstreamId: string;
  /** Time from the request's head to the end of the exchange, ms. */
  readonly durationMs: number;
  /** Request body bytes received. */
  readonly requestBytes: number;
  /** Response body bytes sent (as framed by the node: before chunk framing). */
  readonly responseBytes: number;
}

/**
 * The hooks, one per phase. Each is optional; its absence is its default (the phase goes on as
 * if it returned {@link CONTINUE}).
 */
export interface PhaseHooks {
  /**
   * `request_filter`: runs once the request's head is read, its canonical view built and its route
   * matched, in chain order (the global policies, then the route's). A CORS preflight runs the
   * chain up to the policy that `answersPreflight`, without the authenticating ones.
   * @returns {@link CONTINUE} to let the next policy run; a {@link Refusal} ends the chain and is
   *   answered (a security event with its reason); a {@link Reply} ends it with that answer
   */
  requestHeaders?(ex: PolicyExchange): Verdict | Promise<Verdict>;
  /**
   * `request_body_filter`: runs once every policy let the request through, for a policy whose
   * traits declare `inspectsRequestBody`: the loop reads the body (after `100 Continue`) up to
   * `maxBytes` — nothing of it has gone upstream yet — and hands it over whole (`complete`) or
   * its first `maxBytes` (`complete` false: the rest streams on unseen). A request without a body
   * (or an upgrade) gets an empty, complete body: the hook runs on every request that gets this
   * far, so an inspector's body phase can never be skipped.
   * @returns {@link CONTINUE} to forward the body (the bytes read first, then the rest);
   *   an {@link Answer} refuses the request: nothing reaches the upstream
   */
  requestBody?(ex: PolicyExchange, body: Buffer, complete: boolean): Verdict | Promise<Verdict>;
  /**
   * `upstream_request_filter`: runs once the upstream request is built (headers, path, target),
   * right before it is dispatched. For policies that act beside the request (a mirror copies
   * it); it cannot refuse.
   */
  upstreamRequest?(ex: PolicyExchange, up: UpstreamRequest): void;
  /**
   * `response_filter`: runs when the upstream's response head arrives (before anything is sent),
   * and on the node's own answers (errors, preflights: `res.own`), in chain order; edits `res`
   * in place (set, remove, constant blocks). The policy that refused or answered a request does
   * not decorate its own answer.
   * @returns {@link CONTINUE}; an {@link Answer} replaces the upstream's response (the upstream
   *   exchange is aborted; ignored on the node's own answers)
   */
  responseHeaders?(ex: PolicyExchange, res: ResponseFields): Verdict;
  /**
   * `response_body_filter`: for a policy whose traits declare `inspectsResponseBody`: the loop
   * holds the response (head and body) until `maxBytes` of body or its end and hands the body
   * over; nothing has reached the client yet.
   * @returns {@link CONTINUE} to send the response; an {@link Answer} replaces it (the upstream
   *   exchange is aborted)
   */
  responseBody?(ex: PolicyExchange, body: Buffer, complete: boolean): Verdict | Promise<Verdict>;
  /**
   * `logging`: runs once per request when the exchange is over (answered, cut, or the client
   * left), whatever happened before — the anomaly recorder writes its record here. Must be cheap
   * and must not throw.
   */
  log?(ex: LoggedExchange): void;
}

/** What a policy declares about itself, read once at config compile (never per request). */
export interface PolicyTraits {
  /** It authenticates (jwt, api-key, mtls, introspection, auth-any): see {@link Authenticator}. */
  readonly authenticates?: Authenticator;
  /** It acts on one route's upstream choice (canary, mirror): never global, at most one of its type per route. */
  readonly routeOnly?: boolean;
  /**
   * Lower-case names of the identity headers it asserts upstream (a claim header, a certificate
   * fact): removed from every client request on every route, so a client can never supply one
   * where the policy does not run (case C21).
   */
  readonly identityHeaders?: readonly string[];
  /**
   * Ids of the upstreams it may send a request to instead of the route's (canary, with
   * `PolicyExchange.routeTo`): compile gives every route that runs it these upstreams with the
   * route's timeout overrides.
   */
  readonly routesTo?: readonly string[];
  /** It copies requests to another upstream (mirror): the shadow's pools and counters are its own. */
  readonly mirrors?: boolean;
  /**
   * The largest request body its routes let through, bytes (request-size): it replaces the
   * node's default limit, also upwards; when the route sets one too, the smaller applies.
   */
  readonly maxRequestBodyBytes?: number;
  /** Its `requestBody` hook needs the body buffered up to `maxBytes` before any byte goes upstream (a WAF). */
  readonly inspectsRequestBody?: { readonly maxBytes: number };
  /** Its `responseBody` hook needs the response held up to `maxBytes` of body before any byte reaches the client. */
  readonly inspectsResponseBody?: { readonly maxBytes: number };
  /** It answers CORS preflights (cors): a preflight runs the chain up to it, authentication skipped. */
  readonly answersPreflight?: boolean;
  /**
   * It requires a client certificate (mtls): the route's host names become mTLS names, whose
   * HTTPS handshakes ask for a certificate verified against these CAs (config/host-policies.ts).
   */
  readonly clientCertificate?: ClientAuthSpec;
}

/** What the HTTPS listener needs from an mTLS policy to ask for and verify client certificates. */
export interface ClientAuthSpec {
  /** PEM trust anchors. */
  readonly caPem: string;
  /** PEM CRLs, `""` for none. */
  readonly crlPem: string;
}

/** A compiled policy: its type and id, what it declares, and its hooks. */
export interface Policy extends PhaseHooks {
  /** The policy type, e.g. `jwt`. */
  readonly type: string;
  /** The policy's config id. */
  readonly id: string;
  readonly traits: PolicyTraits;
}

/**
 * Something that only watches finished exchanges, node-wide (not per route): the anomaly
 * detector's recorder, telemetry. The loop calls every recorder's `log` after the chain's.
 */
export interface Recorder {
  log(ex: LoggedExchange): void;
}

/** Shared traits of a policy that declares nothing. */
export const NO_TRAITS: PolicyTraits = Object.freeze({});

/**
 * The `requestHeaders` hook of an authentication method: authenticates, records the
 * authentication on the request, and goes on; a refusal answers.
 */
export function authenticationHook(auth: Authenticator): (ex: PolicyExchange) => Verdict | Promise<Verdict> {
  return (ex) => {
    const r = auth.authenticate(ex);
    if (r instanceof Promise) return r.then((a) => accept(ex, a));
    return accept(ex, r);
  };
}

function accept(ex: PolicyExchange, r: Authentication | Refusal): Verdict {
  if (r.kind === "refusal") return r;
  ex.authenticated(r);
  return CONTINUE;
}
