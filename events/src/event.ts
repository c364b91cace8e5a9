/**
 * Palisade's security event: what the planes produce for every policy denial, WAF match, anomaly
 * detection or decision, config event and SIEM delivery condition. One discriminated union on
 * `category`; {@link toEcs} turns any of them into the one ECS document the SIEM receives.
 *
 * Events hold facts, never secrets: no header values, no bodies, no tokens. The few free-text
 * fields that may quote request data (the query string, a WAF rule's logdata, a NACK's detail)
 * are redacted by the formatter (see redact.ts); producers need not clean them first.
 */
import type { Severity } from "./severity.js";

/** The categories, in the order the README's schema table lists them. */
export const EVENT_CATEGORIES = ["policy_denial", "waf", "anomaly", "config", "siem"] as const;

/** One of {@link EVENT_CATEGORIES}. */
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/**
 * What kind of policy denial happened: the data plane's `SECURITY_EVENT_TYPES`
 * (data-plane/src/events/security-events.ts), kept equal by a test there once wired.
 */
export const POLICY_DENIAL_TYPES = [
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
] as const;

/** One of {@link POLICY_DENIAL_TYPES}. */
export type PolicyDenialType = (typeof POLICY_DENIAL_TYPES)[number];

/**
 * Facts about the HTTP request an event is about. Never a header value, a cookie or a body.
 * Every field is `null` when unknown (a connection refused before a request existed).
 */
export interface RequestFacts {
  /** The client address from the canonical view: the TCP peer, or resolved through trusted proxies. */
  readonly clientAddress: string | null;
  readonly clientPort: number | null;
  readonly method: string | null;
  /** The canonical path, without the query string. */
  readonly path: string | null;
  /**
   * The raw query string without `?`. The formatter writes it to `url.query` with the values of
   * secret fields replaced (redact.ts); pass `null` to leave it out.
   */
  readonly query: string | null;
  /** The HTTP status the client received. */
  readonly status: number | null;
  /** The request id (`X-Request-Id`). */
  readonly requestId: string | null;
  /** The `Host` the request named (ECS `url.domain`). */
  readonly host?: string | null;
}

/** Fields every category shares. Times are ms since the Unix epoch. */
export interface EventCommon {
  /** Unique id (ECS `event.id`), e.g. from {@link newEventId}; a WAF 403 body names it. */
  readonly id: string;
  /** When it happened (ECS `@timestamp`). */
  readonly time: number;
  /** When Palisade made the event (ECS `event.created`); defaults to `time`. */
  readonly created?: number;
  /** Overrides the default severity of the category and action (classify.ts). */
  readonly severity?: Severity;
  /** W3C trace id (32 lowercase hex) of the request, when it has one. */
  readonly traceId?: string | null;
  /** Matched route id. */
  readonly route?: string | null;
  /** Consumer id, when a credential resolved to one. */
  readonly consumer?: string | null;
  readonly request?: RequestFacts | null;
}

/** The policy that decided: its id and type (`jwt`, `ip-restriction`, `waf` …). */
export interface PolicyRef {
  readonly id: string;
  readonly type: string;
}

/** A request a policy (or the proxy's own checks) refused. */
export interface PolicyDenialEvent extends EventCommon {
  readonly category: "policy_denial";
  readonly type: PolicyDenialType;
  /** Stable reason code: `token_expired`, `ip_not_allowed`, `path_dot_segment` … */
  readonly reason: string;
  /** The error code the client received, e.g. `AUTH_TOKEN_INVALID`. */
  readonly code: string;
  /** The policy that refused; `null` for the proxy's own checks. */
  readonly policy: PolicyRef | null;
}

/** One WAF rule that matched (a chain counts once), as the SecLang engine reports it. */
export interface WafRuleMatch {
  /** Rule id, e.g. 942100 (OWASP CRS REQUEST-942-APPLICATION-ATTACK-SQLI). */
  readonly id: number;
  /** The rule's `msg`, expanded. */
  readonly msg: string;
  readonly tags: readonly string[];
  /** The rule's `severity` as a syslog code (CRS: CRITICAL 2, ERROR 3, WARNING 4, NOTICE 5), or `null`. */
  readonly severity: Severity | null;
  /** Names of the matched variables (`ARGS:id`, `REQUEST_HEADERS:User-Agent`), never their values. */
  readonly matchedVars: readonly string[];
  /**
   * The rule's expanded `logdata`. It may quote matched data, so the formatter replaces it whole
   * when any matched variable is a secret (Authorization, cookies, configured fields).
   */
  readonly logdata?: string;
}

/** A transaction the WAF policy matched (detected or blocked). */
export interface WafEvent extends EventCommon {
  readonly category: "waf";
  /** The policy's mode. */
  readonly mode: "block" | "detect";
  /**
   * What happened to the request: `deny` (answered with an error), `drop` (connection closed),
   * `redirect`, or `pass` (let through: detect mode, or scores under the thresholds).
   */
  readonly action: "deny" | "drop" | "redirect" | "pass";
  /** Blocking paranoia level, 1–4. */
  readonly paranoiaLevel: number;
  /** Detection paranoia level, when it differs from the blocking one. */
  readonly detectionParanoiaLevel?: number | null;
  /** CRS anomaly scores as the rules left them (tx.blocking_inbound/outbound_anomaly_score). */
  readonly anomalyScore: { readonly inbound: number; readonly outbound: number };
  /** The policy's thresholds. */
  readonly threshold?: { readonly inbound: number; readonly outbound: number } | null;
  /** Rules that matched, in evaluation order. */
  readonly rules: readonly WafRuleMatch[];
  /** The rule that interrupted (e.g. 949110), `null` when none did. */
  readonly interruptingRuleId: number | null;
  /** The rule set, e.g. `{ name: "OWASP_CRS", version: "4.28.0" }`. */
  readonly ruleset: { readonly name: string; readonly version: string };
  readonly policy: PolicyRef | null;
}

/** A subject of an anomaly detection or decision: a client address, consumer, credential hash, route or upstream. */
export interface AnomalySubject {
  readonly type: "address" | "consumer" | "credential" | "route" | "upstream";
  readonly id: string;
}

/** A detector fired (issue 16). `subject.type === "address"` puts the address in `source.ip`. */
export interface AnomalyDetectionEvent extends EventCommon {
  readonly category: "anomaly";
  readonly action: "detected";
  /** Detector kind: `brute_force`, `credential_stuffing`, `enumeration`, `volumetric` … */
  readonly detector: string;
  readonly detectionId: string;
  /** Where it was detected: one node, or the control plane over a region or the fleet. */
  readonly level: "node" | "region" | "fleet";
  /** Node id, region name, or `fleet`. */
  readonly scope: string;
  readonly subject: AnomalySubject;
  /** observed ÷ threshold (≥ 1). */
  readonly score: number;
  readonly observed: number;
  readonly baseline: number;
  readonly threshold: number;
  /** Unit of observed/baseline/threshold, e.g. `failed logins/min`. */
  readonly unit: string;
  /** One sentence for people: "41 failed logins/min from 203.0.113.7, baseline 0.2". */
  readonly explanation: string;
  /** The detection's mode: `detect` records, `enforce` also decides. */
  readonly mode: "detect" | "enforce";
}

/** A response decision: a temporary deny or throttle of a client, or its removal. */
export interface AnomalyDecisionEvent extends EventCommon {
  readonly category: "anomaly";
  /** `deny` (403), `throttle` (429), or `lifted` (removed by TTL or an operator). */
  readonly action: "deny" | "throttle" | "lifted";
  readonly decisionId: string;
  readonly target: AnomalySubject;
  /** Time to live, seconds (0 for `lifted`). */
  readonly ttlS: number;
  /** False when recorded only (detect mode). */
  readonly enforced: boolean;
  /** Made by a detection, or by an operator through the admin API / CLI / web admin. */
  readonly source: "detection" | "manual";
  /** The detector kind behind it, or `manual`. */
  readonly detector: string;
  readonly detectionId: string | null;
  readonly explanation: string;
}

/** A config event on a node. */
export interface ConfigEvent extends EventCommon {
  readonly category: "config";
  /** `applied` (ACK), `rejected` (NACK), `last_known_good` (serving the cached config). */
  readonly action: "applied" | "rejected" | "last_known_good";
  /** Config version number (uint64 as decimal text). */
  readonly version: string;
  readonly previousVersion?: string | null;
  /** Content hash of the snapshot. */
  readonly hash?: string | null;
  /** Where the config came from. */
  readonly source?: "control_plane" | "cache" | "file" | null;
  /** NACK reason or why the last-known-good config is served (redacted like all free text). */
  readonly detail?: string | null;
}

/** A condition of the SIEM delivery path itself: a sink went down or came back, events were dropped. */
export interface SiemConditionEvent extends EventCommon {
  readonly category: "siem";
  readonly action: "sink_down" | "sink_up" | "events_dropped";
  /** Sink name. */
  readonly sink: string;
  /** Why: an error code (`ECONNREFUSED`, `tls`), or a drop reason (`spool_overflow` …). */
  readonly reason?: string | null;
  /** Events dropped (for `events_dropped`). */
  readonly count?: number | null;
  readonly detail?: string | null;
}

/** Any Palisade security event. */
export type PalisadeEvent =
  | PolicyDenialEvent
  | WafEvent
  | AnomalyDetectionEvent
  | AnomalyDecisionEvent
  | ConfigEvent
  | SiemConditionEvent;

/** A new event id: a random UUID (RFC 9562 version 4), ~100 ns. */
export function newEventId(): string {
  return crypto.randomUUID();
}

/** What an anomaly detector says about a detection (@palisade/anomaly `Detection`, structurally). */
export interface DetectionFacts {
  readonly id: string;
  readonly kind: string;
  readonly level: "node" | "region" | "fleet";
  readonly scope: string;
  readonly subject: AnomalySubject;
  /** The route the evidence is about, `""` for none. */
  readonly route: string;
  readonly score: number;
  readonly observed: number;
  readonly baseline: number;
  readonly threshold: number;
  readonly unit: string;
  readonly explanation: string;
}

/**
 * The security event of a detection, made the same way by a node (its own detector) and by the
 * control plane (the fleet view): the score rounded to 2 decimals.
 * @param time when it was detected, ms since the epoch
 */
export function anomalyDetectedEvent(
  d: DetectionFacts,
  time: number,
  mode: "detect" | "enforce",
  id: string = newEventId(),
): AnomalyDetectionEvent {
  return {
    category: "anomaly",
    action: "detected",
    id,
    time,
    route: d.route || null,
    detector: d.kind,
    detectionId: d.id,
    level: d.level,
    scope: d.scope,
    subject: d.subject,
    score: Math.round(d.score * 100) / 100,
    observed: d.observed,
    baseline: d.baseline,
    threshold: d.threshold,
    unit: d.unit,
    explanation: d.explanation,
    mode,
  };
}
