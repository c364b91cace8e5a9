import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { CompiledUpstream } from "../config/runtime-table.js";
import type { ErrorCode } from "../errors.js";
import type { SecurityReason } from "../events/security-events.js";
import type { OutgoingHeaders } from "../proxy/hop-by-hop.js";
import type { RequestView } from "../request/request-view.js";
import type { ConsumerIndex } from "./auth/consumers.js";

/** A consumer an authentication policy resolved the request to. */
export interface ConsumerRef {
  readonly id: string;
  readonly name: string;
}

/** What a policy sees of a request: read-only, already canonicalized by the proxy. */
export interface PolicyRequest {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** Canonical path (no query), the one that is matched and forwarded (= `view.path`). */
  readonly path: string;
  /** Raw query string as received: `""` or `"?a=b"`. */
  readonly query: string;
  /** Request headers as node:http parsed them (lower-case names; duplicates joined or dropped). */
  readonly headers: IncomingHttpHeaders;
  /** Headers as received: name, value, name, value, … (sizes, duplicates node:http folded). */
  readonly rawHeaders: readonly string[];
  /** The canonical view of the request (path, query, host, client address). */
  readonly view: RequestView;
  /** Id of the matched route. */
  readonly routeId: string;
  /**
   * The consumer an earlier authentication policy of the chain resolved, `null` when none did
   * (anonymous request, or no authentication policy before this one).
   */
  readonly consumer: ConsumerRef | null;
  /** The client connection: a TLSSocket on the HTTPS listener (client certificate, SNI). */
  readonly socket?: TLSSocket | { readonly encrypted?: undefined };
}

/**
 * Header edits for the upstream request: lower-case name → value to set, or `null` to remove
 * the header whatever the client sent.
 */
export type HeaderEdits = Readonly<Record<string, string | null>>;

/** The request may go on; `upstreamHeaders` are applied in `upstream_request_filter`. */
export interface PolicyAllow {
  readonly allow: true;
  readonly upstreamHeaders: HeaderEdits | null;
  /** Query parameters (decoded names) removed before forwarding, e.g. a query-string token. */
  readonly stripQuery?: readonly string[] | null;
  /** Set by authentication policies: the method that authenticated the request (`jwt`, `api-key`, …). */
  readonly authMethod?: string;
  /** Set when the credential resolved to a consumer. */
  readonly consumer?: ConsumerRef | null;
  /** Headers added to the answer sent to the client (e.g. `RateLimit-Remaining`). */
  readonly responseHeaders?: Readonly<Record<string, string>> | null;
  /** Largest request body this policy lets through, in bytes (enforced on the streamed bytes). */
  readonly maxBodyBytes?: number;
  /**
   * The policy answers the request itself at the edge (a CORS preflight's 204): the chain stops
   * and nothing is proxied. Not an error and not a refusal.
   */
  readonly respond?: DirectResponse;
  /**
   * Traffic split (`canary`): the id of the upstream this request goes to instead of the
   * route's (one of the policy's `routeUpstreams`). The last policy that sets it wins.
   */
  readonly upstream?: string;
  /** Shadow traffic (`mirror`): a copy of the request goes to this sender once the upstream request is built. */
  readonly mirror?: MirrorSender;
}

/** What a mirror needs of the request the proxy is about to send upstream (after every policy ran). */
export interface MirrorRequest {
  readonly routeId: string;
  readonly method: string;
  /** Path sent upstream without the upstream's `path_prefix` (after strip_prefix / prefix_rewrite). */
  readonly upstreamPath: string;
  /** Query string sent upstream, `""` or `"?..."`. */
  readonly query: string;
  /** The upstream request headers, exactly as the primary sends them (credentials already stripped). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body stream the primary would forward, or `null`. */
  readonly body: Readable | null;
  /** The declared body length, `null` when not declared (chunked, HTTP/2 without Content-Length). */
  readonly contentLength: number | null;
  /** Route `preserve_host`: the primary sends the client's authority (`clientAuthority`). */
  readonly preserveHost: boolean;
  readonly clientAuthority: string;
}

/** A shadow copy of one request in progress. */
export interface ShadowRun {
  /** The body the primary forwards now: a pass-through tap of the request body, or the same `null`. */
  readonly body: Readable | null;
  /** The primary's response headers arrived with this status. */
  primaryResponse(status: number): void;
  /** The client's exchange is over with this status (499: the client left first). */
  primaryEnd(status: number): void;
}

/** Sends shadow copies of requests (the `mirror` policy); never throws and never delays the primary. */
export interface MirrorSender {
  /** @returns the run, or `null` when the request is not mirrored after all (bound reached, body too large) */
  start(req: MirrorRequest): ShadowRun | null;
}
/** A direct answer made at the edge that is not an error (a CORS preflight). */
export interface DirectResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The request is answered with the error `code` (see errors.ts) plus `responseHeaders`.
 * `reason` is the stable cause for the log and the security event (never sent, never secret).
 */
export interface PolicyDeny {
  readonly allow: false;
  readonly code: ErrorCode;
  readonly responseHeaders: Readonly<Record<string, string>> | null;
  readonly reason: SecurityReason;
  /** The consumer when the credential resolved to one (e.g. a disabled consumer's key). */
  readonly consumer?: ConsumerRef | null;
  /** The error body's `field`: what is at fault, by its config name (the claim of an unsafe identity). */
  readonly field?: string;
}

/** The outcome of one policy check. */
export type PolicyOutcome = PolicyAllow | PolicyDeny;

/**
 * A compiled policy, attached to routes. It knows nothing of the proxy loop: it gets a request
 * view and returns an outcome, synchronously when it can (cache hit) or as a promise.
 */
export interface PolicyInstance {
  /** The policy type, e.g. `jwt`. */
  readonly type: string;
  /** The policy's config id. */
  readonly id: string;
  /**
   * Lower-case names of the identity headers this policy sets upstream (e.g. `x-user` from a
   * claim). The node removes them from every request on every route, so a client can never
   * supply one where the policy does not run (case C21).
   */
  readonly identityHeaders?: readonly string[];
  /** Runs in `request_filter`. Must not throw: failures are a {@link PolicyDeny}. */
  check(req: PolicyRequest): PolicyOutcome | Promise<PolicyOutcome>;
  /**
   * Authentication policies only: the edits that remove this policy's credential (and the
   * identity headers it would set) from the upstream request. `auth-any` applies them for the
   * members that did not authenticate the request, so no unverified credential is forwarded.
   */
  stripCredentials?(req: PolicyRequest): PolicyAllow;
  /**
   * Runs in `response_filter` (and on the node's own error answers) for requests this policy
   * checked: edits the outgoing headers in place (lower-case names). Must not throw.
   */
  filterResponse?(req: PolicyRequest, headers: OutgoingHeaders): void;
  /**
   * Authentication policies say so: a CORS preflight (which browsers send without credentials)
   * skips them, so the cors policy can answer it.
   */
  readonly authenticates?: boolean;
  /**
   * Traffic split policies (`canary`): the upstreams a request may be sent to instead of the
   * route's. Compile gives every route that runs the policy these upstreams with its own
   * timeout overrides.
   */
  readonly routeUpstreams?: readonly CompiledUpstream[];
}

/** What a policy factory may use besides its config. All of it is I/O-free at build time. */
export interface PolicyContext {
  /** The policy's config id. */
  readonly id: string;
  /** Warn-level log sink for operational problems (e.g. a JWKS URL that cannot be fetched). */
  readonly warn: (fields: Record<string, unknown>, msg: string) => void;
  /** Consumers and their credentials from the same snapshot. */
  readonly consumers: ConsumerIndex;
  /** The snapshot's compiled upstreams by id (policies that route or mirror requests). */
  readonly upstreams?: ReadonlyMap<string, CompiledUpstream>;
}

/** Thrown by a policy factory when its config is invalid; compile turns it into `POLICY_INVALID`. */
export class PolicyConfigError extends Error {
  override readonly name = "PolicyConfigError";
}

/** Shared constant outcome: allowed, no header edits. */
export const ALLOW: PolicyAllow = Object.freeze({ allow: true, upstreamHeaders: null });
