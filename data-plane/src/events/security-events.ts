import type { PalisadeEvent, WafEvent } from "@palisade/events";
import type { ErrorCode } from "../errors.js";
/**
 * The node's internal channel for security events: every request the node refuses for a
 * security reason — authentication failures, denials, ambiguous credentials, unavailable key
 * servers, malformed or ambiguous requests, addresses outside the IP rules, rate limits, size
 * limits, CORS preflights from origins that are not allowed — and every request the WAF matched
 * (blocked, detected, or failed on), with what it found. The proxy's hot path only calls
 * {@link SecurityEvents.emit}:
 * it bumps a counter and appends to a bounded queue; subscribers (the log, the cluster IPC, the
 * node's security-event pipeline: control plane and SIEM sinks, telemetry/security-pipeline.ts)
 * receive batches asynchronously, off the request path. Events never hold secrets: no token, key,
 * header value or query string, only stable reason codes and identifiers.
 *
 * **The one node-side entry point** for every security event (data-plane/README.md, "Security
 * events"): a request refusal or a request-bound match is {@link SecurityEvents.emit} (the loop
 * does it for every refusal; a policy through its exchange), any other `@palisade/events` event
 * (an anomaly detection or decision made on the node, a config event) is
 * {@link SecurityEvents.record}. Both are O(1) and never wait.
 */

/** What kind of security event happened. */
export const SECURITY_EVENT_TYPES = [
  /** No valid credential: missing, malformed, expired, bad signature, unknown key (401). */
  "authentication_failed",
  /** A valid credential that does not grant access: claim rule failed (403). */
  "access_denied",
  /** More than one credential, or one credential in two places (400). */
  "credential_ambiguous",
  /** Keys or the introspection endpoint could not be reached: failed closed (401/503). */
  "auth_unavailable",
  /** A malformed or ambiguous request: framing, header bytes, host, path, target (400). */
  "request_rejected",
  /** The client address is outside the IP rules (403). */
  "ip_denied",
  /** A rate limit refused the request (429), or its counter store could not answer (503). */
  "rate_limited",
  /** A size limit refused the request: body (413), headers (431), URL or query (414). */
  "request_too_large",
  /** A CORS preflight from an origin, method or header the policy does not allow (403). */
  "cors_rejected",
  /** The WAF stopped the request (403 `WAF_BLOCKED`): block mode, the anomaly threshold reached. */
  "waf_blocked",
  /** The WAF matched rules and let the request through: detect mode, or scores under the thresholds. */
  "waf_detected",
  /** The WAF engine failed on the request: refused (500 `WAF_ERROR`, fail closed) or let through uninspected (fail open). */
  "waf_error",
] as const;

/**
 * The types the WAF policy emits itself (with {@link WafEventDetail}); the request's own counters
 * (`TrafficStats`, the rollout gate's `security_event_rate:<type>`) count them as they are emitted.
 */
export const WAF_EVENT_TYPES: readonly SecurityEventType[] = Object.freeze([
  "waf_blocked",
  "waf_detected",
  "waf_error",
  "request_too_large",
]);

/** One of {@link SECURITY_EVENT_TYPES}. */
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/**
 * Why a policy refused a request: a closed set of stable, machine-readable codes (the same codes
 * appear in the node log and, later, in the SIEM). Each maps to one event type. Refusals the
 * proxy makes itself while reading a request use the refusal codes of `src/request/` and
 * `src/router/path.ts` (`te_not_chunked`, `host_conflict`, `path_dot_segment`, …) with type
 * `request_rejected`, or `request_too_large` for header limits.
 */
export const SECURITY_REASONS = {
  credential_missing: "authentication_failed",
  credential_malformed: "authentication_failed",
  credential_ambiguous: "credential_ambiguous",
  token_too_large: "authentication_failed",
  token_header_invalid: "authentication_failed",
  token_alg_not_allowed: "authentication_failed",
  token_key_unknown: "authentication_failed",
  token_signature_invalid: "authentication_failed",
  token_claims_invalid: "authentication_failed",
  token_expired: "authentication_failed",
  token_not_yet_valid: "authentication_failed",
  token_issued_in_future: "authentication_failed",
  token_too_old: "authentication_failed",
  token_lifetime_too_long: "authentication_failed",
  token_issuer_mismatch: "authentication_failed",
  token_audience_mismatch: "authentication_failed",
  token_claim_missing: "authentication_failed",
  token_inactive: "authentication_failed",
  key_unknown: "authentication_failed",
  consumer_unknown: "authentication_failed",
  consumer_disabled: "authentication_failed",
  identity_unsafe: "authentication_failed",
  cert_missing: "authentication_failed",
  cert_untrusted: "authentication_failed",
  cert_expired: "authentication_failed",
  cert_revoked: "authentication_failed",
  cert_invalid: "authentication_failed",
  cert_not_allowed: "access_denied",
  sni_mismatch: "access_denied",
  claim_rule_failed: "access_denied",
  keys_unavailable: "auth_unavailable",
  introspection_unavailable: "auth_unavailable",
  ip_not_allowed: "ip_denied",
  ip_denied: "ip_denied",
  ip_unknown: "ip_denied",
  rate_limit_exceeded: "rate_limited",
  rate_limit_store_unavailable: "rate_limited",
  anomaly_denied: "access_denied",
  anomaly_throttled: "rate_limited",
  body_too_large: "request_too_large",
  header_bytes_exceeded: "request_too_large",
  header_count_exceeded: "request_too_large",
  url_too_long: "request_too_large",
  query_params_exceeded: "request_too_large",
  cors_origin_not_allowed: "cors_rejected",
  cors_method_not_allowed: "cors_rejected",
  cors_header_not_allowed: "cors_rejected",
  waf_blocked: "waf_blocked",
  waf_detected: "waf_detected",
  waf_engine_error: "waf_error",
  waf_body_too_large: "request_too_large",
} as const satisfies Record<string, SecurityEventType>;

/** One of the keys of {@link SECURITY_REASONS}. */
export type SecurityReason = keyof typeof SECURITY_REASONS;

/**
 * What a WAF event adds (the fields of `@palisade/events`' `WafEvent`, so the SIEM path formats it
 * as ECS without a translation): mode, action, paranoia levels, anomaly scores and thresholds,
 * the rules that matched (id, msg, tags, severity, matched variable NAMES, logdata with secret
 * values already redacted), the interrupting rule and the rule set; `error` names an engine
 * failure (`WAF_ENGINE_ERROR` and the rule it happened in).
 */
export type WafEventDetail = Pick<
  WafEvent,
  | "mode"
  | "action"
  | "paranoiaLevel"
  | "detectionParanoiaLevel"
  | "anomalyScore"
  | "threshold"
  | "rules"
  | "interruptingRuleId"
  | "ruleset"
> & { readonly error?: string | null };

/** One security event. Times are ms since the epoch. */
export interface SecurityEvent {
  /** The event's id (a UUID), when it has one: a WAF 403 body names it (`event_id`). */
  readonly id?: string;
  readonly type: SecurityEventType;
  /** A {@link SecurityReason} for policy refusals, else the proxy's own refusal code (`path_dot_segment`). */
  readonly reason: string;
  readonly time: number;
  /** The error code the client received (see errors.ts), e.g. `AUTH_TOKEN_INVALID`; `""` when it was not refused (a WAF detection). */
  readonly code: string;
  /** HTTP status the client received. */
  readonly status: number;
  /** Request id, `null` when node:http refused the bytes before a request existed. */
  readonly requestId: string | null;
  /** Matched route id, `null` when the request was refused before routing. */
  readonly route: string | null;
  /** Policy that refused the request (id and type), `null` for checks made by the proxy itself. */
  readonly policy: string | null;
  readonly policyType: string | null;
  /** Consumer id when the credential resolved to one (e.g. a disabled consumer's key). */
  readonly consumer: string | null;
  /** The client's address from the canonical view (the peer, or resolved through trusted proxies). */
  readonly clientAddress: string | null;
  /** `null` when node:http refused the bytes before a request existed. */
  readonly method: string | null;
  /** Canonical path without the query string (a query may hold a credential); `null` when the path itself was refused. */
  readonly path: string | null;
  /** W3C trace id of the request (32 lowercase hex), when the node traces it. */
  readonly traceId?: string | null;
  /** What the WAF found (WAF events only). */
  readonly waf?: WafEventDetail;
}

/** Receives events in batches, in emission order. Must not throw (a throw is swallowed). */
export type SecurityEventListener = (events: readonly SecurityEvent[]) => void;

/**
 * Receives the events given to {@link SecurityEvents.record} in batches, in order. Must not throw
 * (a throw is swallowed).
 */
export type RecordListener = (events: readonly PalisadeEvent[]) => void;

/** Options of {@link SecurityEvents}. */
export interface SecurityEventsOptions {
  /** Events queued for delivery before the oldest are dropped (counted), default 10,000. */
  readonly maxQueue?: number;
  /** Recent events kept for the status endpoint, default 100. */
  readonly keepRecent?: number;
}

/**
 * The typed, in-process event bus. `emit` is O(1) and allocation-light; delivery happens in a
 * `setImmediate` batch. Counters by type only ever grow (for reports to the control plane).
 */
export class SecurityEvents {
  #listeners = new Set<SecurityEventListener>();
  #queue: SecurityEvent[] = [];
  #scheduled = false;
  #maxQueue: number;
  #recent: SecurityEvent[] = [];
  #keepRecent: number;
  #counts: Record<SecurityEventType, number>;
  #dropped = 0;
  #recordListeners = new Set<RecordListener>();
  #records: PalisadeEvent[] = [];

  constructor(opts: SecurityEventsOptions = {}) {
    this.#maxQueue = opts.maxQueue ?? 10_000;
    this.#keepRecent = opts.keepRecent ?? 100;
    this.#counts = Object.fromEntries(SECURITY_EVENT_TYPES.map((t) => [t, 0])) as Record<SecurityEventType, number>;
  }

  /** Records one event: counts it, keeps it among the recent ones, queues it for subscribers. */
  emit(event: SecurityEvent): void {
    this.#counts[event.type]++;
    this.#recent.push(event);
    if (this.#recent.length > this.#keepRecent) this.#recent.shift();
    if (this.#listeners.size === 0) return;
    this.#enqueue(this.#queue, event);
  }

  /** Appends to a delivery queue (beyond `maxQueue` the oldest is dropped, counted) and schedules delivery. */
  #enqueue<T>(queue: T[], item: T): void {
    if (queue.length >= this.#maxQueue) {
      queue.shift();
      this.#dropped++;
    }
    queue.push(item);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#deliver());
    }
  }

  /**
   * Records any `@palisade/events` event that is not a request refusal of the loop: an anomaly
   * detection or decision made on the node, a config event, a WAF event built whole. O(1), never
   * waits, never throws: it is queued (beyond `maxQueue` the oldest is dropped, counted in
   * {@link dropped}) and handed to the {@link subscribeRecords} listeners off the caller's path
   * (in a cluster: the worker's records go to the primary's channel). Its fields must hold no
   * secret; free text that may quote request data is redacted by the formatter (`toEcs`).
   */
  record(event: PalisadeEvent): void {
    if (this.#recordListeners.size === 0) return;
    this.#enqueue(this.#records, event);
  }

  /**
   * Adds a subscriber of {@link record}'s events.
   * @returns a function that removes it
   */
  subscribeRecords(listener: RecordListener): () => void {
    this.#recordListeners.add(listener);
    return () => this.#recordListeners.delete(listener);
  }

  /**
   * Adds a subscriber.
   * @returns a function that removes it
   */
  subscribe(listener: SecurityEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Events counted per type since the node started. */
  counts(): Readonly<Record<SecurityEventType, number>> {
    return { ...this.#counts };
  }

  /** Events dropped because subscribers fell behind by more than `maxQueue`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The most recent events, oldest first. */
  recent(): readonly SecurityEvent[] {
    return [...this.#recent];
  }

  #deliver(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length > 0) deliver(this.#listeners, batch);
    const records = this.#records;
    this.#records = [];
    if (records.length > 0) deliver(this.#recordListeners, records);
  }
}

function deliver<T>(listeners: Iterable<(batch: readonly T[]) => void>, batch: readonly T[]): void {
  for (const l of listeners) {
    try {
      l(batch);
    } catch {
      // A subscriber's bug must not break the others or the proxy.
    }
  }
}

/** The event type of a reason. */
export function eventTypeOf(reason: SecurityReason): SecurityEventType {
  return SECURITY_REASONS[reason];
}

/**
 * The security event type of a refusal the proxy makes itself (reading the request, its size),
 * `null` for errors that are not security refusals. Policy refusals are emitted when the policy
 * answers, with the policy's own reason.
 */
export function refusalEventType(code: ErrorCode): SecurityEventType | null {
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
