/**
 * One event of every category and action, with realistic values: for the README, the Wazuh
 * rule tests, the sinks' tests and tools (e.g. to send a sample to a SIEM being set up).
 */
import type {
  AnomalyDecisionEvent,
  AnomalyDetectionEvent,
  ConfigEvent,
  PalisadeEvent,
  PolicyDenialEvent,
  RequestFacts,
  SiemConditionEvent,
  WafEvent,
} from "./event.js";
import { POLICY_DENIAL_TYPES, type PolicyDenialType } from "./event.js";

/** Options of {@link exampleEvents}. */
export interface ExampleOptions {
  /** Time of the events, ms since the epoch. Default 2026-01-15T10:00:00Z. */
  readonly time?: number;
  /** The client address the request events come from. Default 203.0.113.7 (RFC 5737 documentation range). */
  readonly client?: string;
}

const REASONS: Record<PolicyDenialType, [reason: string, code: string, status: number, policy: string | null]> = {
  authentication_failed: ["token_expired", "AUTH_TOKEN_INVALID", 401, "jwt"],
  access_denied: ["claim_rule_failed", "AUTH_FORBIDDEN", 403, "jwt"],
  credential_ambiguous: ["credential_ambiguous", "AUTH_AMBIGUOUS", 400, null],
  auth_unavailable: ["keys_unavailable", "AUTH_UNAVAILABLE", 503, "jwt"],
  request_rejected: ["path_dot_segment", "PATH_INVALID", 400, null],
  ip_denied: ["ip_not_allowed", "IP_FORBIDDEN", 403, "ip-restriction"],
  rate_limited: ["rate_limit_exceeded", "RATE_LIMITED", 429, "rate-limit"],
  request_too_large: ["body_too_large", "BODY_TOO_LARGE", 413, "request-size"],
  cors_rejected: ["cors_origin_not_allowed", "CORS_FORBIDDEN", 403, "cors"],
};

function request(client: string, status: number, path = "/api/orders", query: string | null = null): RequestFacts {
  return {
    clientAddress: client,
    clientPort: 51234,
    method: "GET",
    path,
    query,
    status,
    requestId: "7f9c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
    host: "api.example.com",
  };
}

/** Every policy denial type, one event each. */
export function examplePolicyDenials(opts: ExampleOptions = {}): PolicyDenialEvent[] {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const client = opts.client ?? "203.0.113.7";
  return POLICY_DENIAL_TYPES.map((type, i) => {
    const [reason, code, status, policy] = REASONS[type];
    return {
      category: "policy_denial",
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
      time: time + i,
      type,
      reason,
      code,
      policy: policy ? { id: `${policy}-orders`, type: policy } : null,
      route: "orders",
      consumer: type === "access_denied" ? "mobile-app" : null,
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      request: request(client, status),
    };
  });
}

/** A WAF event: blocked (`deny`) or detected (`pass`). */
export function exampleWaf(action: "deny" | "pass", opts: ExampleOptions = {}): WafEvent {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const client = opts.client ?? "203.0.113.7";
  const blocked = action === "deny";
  return {
    category: "waf",
    id: blocked ? "11111111-1111-4111-8111-111111111111" : "22222222-2222-4222-8222-222222222222",
    time: time + 100,
    mode: blocked ? "block" : "detect",
    action,
    paranoiaLevel: 1,
    anomalyScore: { inbound: 10, outbound: 0 },
    threshold: { inbound: 5, outbound: 4 },
    rules: [
      {
        id: 942100,
        msg: "SQL Injection Attack Detected via libinjection",
        tags: ["application-multi", "language-multi", "platform-multi", "attack-sqli", "paranoia-level/1"],
        severity: 2,
        matchedVars: ["ARGS:q"],
        logdata: "Matched Data: s&sos found within ARGS:q: 1' or '1'='1",
      },
      ...(blocked
        ? [
            {
              id: 949110,
              msg: "Inbound Anomaly Score Exceeded (Total Score: 10)",
              tags: ["anomaly-evaluation"],
              severity: 2 as const,
              matchedVars: ["TX:BLOCKING_INBOUND_ANOMALY_SCORE"],
              logdata: "",
            },
          ]
        : []),
    ],
    interruptingRuleId: blocked ? 949110 : null,
    ruleset: { name: "OWASP_CRS", version: "4.28.0" },
    policy: { id: "waf-shop", type: "waf" },
    route: "shop",
    traceId: "0af7651916cd43dd8448eb211c80319c",
    request: request(client, blocked ? 403 : 200, "/search", "q=1%27%20or%20%271%27%3D%271"),
  };
}

/** An anomaly detection about a client address. */
export function exampleAnomaly(opts: ExampleOptions = {}): AnomalyDetectionEvent {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const client = opts.client ?? "203.0.113.7";
  return {
    category: "anomaly",
    action: "detected",
    id: "33333333-3333-4333-8333-333333333333",
    time: time + 200,
    detector: "brute_force",
    detectionId: `brute_force:node:node-1:address:${client}:${time}`,
    level: "node",
    scope: "node-1",
    subject: { type: "address", id: client },
    score: 4.1,
    observed: 41,
    baseline: 0.2,
    threshold: 10,
    unit: "failed logins/min",
    explanation: `41 failed logins/min from ${client} on route login, baseline 0.2`,
    mode: "enforce",
    route: "login",
  };
}

/** A decision: deny, throttle or lifted; `enforced: false` is detect mode's would-be decision. */
export function exampleDecision(
  action: "deny" | "throttle" | "lifted",
  opts: ExampleOptions & { readonly enforced?: boolean } = {},
): AnomalyDecisionEvent {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const client = opts.client ?? "203.0.113.7";
  return {
    category: "anomaly",
    action,
    id: `44444444-4444-4444-8444-44444444444${action === "deny" ? 1 : action === "throttle" ? 2 : 3}`,
    time: time + 300,
    decisionId: `decision-${client}`,
    target: { type: "address", id: client },
    ttlS: action === "lifted" ? 0 : 600,
    enforced: opts.enforced ?? true,
    source: action === "lifted" ? "manual" : "detection",
    detector: action === "lifted" ? "manual" : "brute_force",
    detectionId: action === "lifted" ? null : `brute_force:node:node-1:address:${client}:${time}`,
    explanation:
      action === "lifted"
        ? "removed by operator alice"
        : `41 failed logins/min from ${client} on route login, baseline 0.2`,
  };
}

/** A config event: applied, rejected or last_known_good. */
export function exampleConfig(action: ConfigEvent["action"], opts: ExampleOptions = {}): ConfigEvent {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const base = { category: "config" as const, time: time + 400, hash: "sha256:9f86d081884c7d65" };
  if (action === "applied") {
    return {
      ...base,
      id: "55555555-5555-4555-8555-555555555551",
      action,
      version: "42",
      previousVersion: "41",
      source: "control_plane",
    };
  }
  if (action === "rejected") {
    return {
      ...base,
      id: "55555555-5555-4555-8555-555555555552",
      action,
      version: "43",
      source: "control_plane",
      detail: "policy jwt-orders: remote JWKS URL is not https",
    };
  }
  return {
    ...base,
    id: "55555555-5555-4555-8555-555555555553",
    action,
    version: "41",
    source: "cache",
    detail: "control plane unreachable at boot",
  };
}

/** A SIEM delivery condition. */
export function exampleSiem(action: SiemConditionEvent["action"], opts: ExampleOptions = {}): SiemConditionEvent {
  const time = opts.time ?? Date.UTC(2026, 0, 15, 10, 0, 0);
  const id = `66666666-6666-4666-8666-66666666666${action === "sink_down" ? 1 : action === "sink_up" ? 2 : 3}`;
  if (action === "events_dropped") {
    return { category: "siem", action, id, time: time + 500, sink: "wazuh", reason: "spool_overflow", count: 12 };
  }
  return {
    category: "siem",
    action,
    id,
    time: time + 500,
    sink: "wazuh",
    reason: action === "sink_down" ? "ECONNREFUSED" : null,
  };
}

/** One event of every category and action (21 events: 9 denials, 2 WAF, 1 detection, 3 decisions, 3 config, 3 SIEM). */
export function exampleEvents(opts: ExampleOptions = {}): PalisadeEvent[] {
  return [
    ...examplePolicyDenials(opts),
    exampleWaf("deny", opts),
    exampleWaf("pass", opts),
    exampleAnomaly(opts),
    exampleDecision("deny", opts),
    exampleDecision("throttle", opts),
    exampleDecision("lifted", opts),
    exampleConfig("applied", opts),
    exampleConfig("rejected", opts),
    exampleConfig("last_known_good", opts),
    exampleSiem("sink_down", opts),
    exampleSiem("sink_up", opts),
    exampleSiem("events_dropped", opts),
  ];
}
