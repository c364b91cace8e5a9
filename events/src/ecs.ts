/**
 * The one security-event schema: an Elastic Common Schema (ECS 8.x) document, made from any
 * {@link PalisadeEvent} by {@link toEcs}. Standard ECS fields carry what ECS has names for
 * (`event.*`, `source.*`, `client.*`, `url.*`, `http.*`, `rule.*`, `observer.*`, `labels`,
 * `trace.id`); Palisade's own facts live under `palisade.*`. Every array holds scalars only
 * (Wazuh's JSON decoder does not read arrays of objects), and every free-text field has passed
 * the {@link Redactor}.
 */
import { type Classification, classify } from "./classify.js";
import type { PalisadeEvent, RequestFacts } from "./event.js";
import type { Redactor } from "./redact.js";
import { SEVERITY_NAMES, type Severity, type SeverityName } from "./severity.js";

/** The ECS version the documents follow. */
export const ECS_VERSION = "8.11.0";

/** Who observed the event: the node (or the control plane) that formats it. */
export interface ObserverInfo {
  /** Node id (ECS `observer.name`, `labels.node`). */
  readonly node: string;
  /** Region (`labels.region`). */
  readonly region: string;
  /** Palisade's software version (`observer.version`). */
  readonly version: string;
  /** Host name (`observer.hostname`), when it differs from the node id. */
  readonly hostname?: string;
  /** The config version the node serves: `rule.version` of policy denials. */
  readonly configVersion?: string | null;
}

/** ECS `rule.*`. */
export interface EcsRule {
  id?: string;
  name?: string;
  category?: string;
  ruleset?: string;
  version?: string;
  description?: string;
}

/** Palisade's own fields (ECS custom field set `palisade`). Arrays hold scalars only. */
export interface PalisadeFields {
  category: PalisadeEvent["category"];
  reason?: string;
  code?: string;
  policy?: { id: string; type: string };
  waf?: {
    mode: "block" | "detect";
    action: string;
    paranoia_level: number;
    detection_paranoia_level?: number;
    anomaly_score: { inbound: number; outbound: number };
    threshold?: { inbound: number; outbound: number };
    interrupting_rule_id?: number;
    rule_ids: number[];
    rule_messages: string[];
    rule_severities: string[];
    tags: string[];
    matched_vars: string[];
    logdata: string[];
  };
  anomaly?: {
    detector: string;
    detection_id: string;
    level: string;
    scope: string;
    subject_type: string;
    subject_id: string;
    score: number;
    observed: number;
    baseline: number;
    threshold: number;
    unit: string;
    explanation: string;
    mode: string;
  };
  decision?: {
    id: string;
    action: string;
    target_type: string;
    target_id: string;
    ttl_s: number;
    enforced: boolean;
    source: string;
    detector: string;
    detection_id?: string;
    explanation: string;
  };
  config?: {
    version: string;
    previous_version?: string;
    hash?: string;
    source?: string;
    detail?: string;
  };
  siem?: { sink: string; reason?: string; count?: number; detail?: string };
  /** Set when a size limit shortened the document (ecs-json.ts). */
  truncated?: boolean;
}

/** One security event as an ECS document (what every sink writes, as JSON). */
export interface EcsSecurityEvent {
  "@timestamp": string;
  ecs: { version: string };
  message: string;
  event: {
    kind: Classification["kind"];
    category: string[];
    type: string[];
    action: string;
    outcome: Classification["outcome"];
    /** Syslog severity code 0–7 (RFC 5424 §6.2.1), the same as `log.syslog.severity.code`. */
    severity: Severity;
    id: string;
    created: string;
    dataset: "palisade.security";
    module: "palisade";
    code?: string;
    reason?: string;
  };
  log: { level: SeverityName; syslog: { severity: { code: Severity; name: SeverityName } } };
  source?: { ip?: string; port?: number };
  client?: { ip?: string; port?: number };
  url?: { path?: string; query?: string; domain?: string };
  http?: { request?: { method?: string; id?: string }; response?: { status_code?: number } };
  rule?: EcsRule;
  observer: {
    name: string;
    hostname?: string;
    type: "proxy";
    vendor: "Palisade";
    product: "Palisade";
    version: string;
  };
  labels: { node: string; region: string; route?: string; consumer?: string };
  trace?: { id: string };
  palisade: PalisadeFields;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function requestFields(doc: EcsSecurityEvent, r: RequestFacts, red: Redactor): void {
  if (r.clientAddress) {
    doc.source = { ip: r.clientAddress };
    doc.client = { ip: r.clientAddress };
    if (r.clientPort !== null && r.clientPort > 0) {
      doc.source.port = r.clientPort;
      doc.client.port = r.clientPort;
    }
  }
  const url: NonNullable<EcsSecurityEvent["url"]> = {};
  if (r.path !== null) url.path = red.text(r.path);
  if (r.query !== null && r.query !== "") url.query = red.query(r.query);
  if (r.host) url.domain = r.host;
  if (url.path !== undefined || url.query !== undefined || url.domain !== undefined) doc.url = url;
  const http: NonNullable<EcsSecurityEvent["http"]> = {};
  if (r.method !== null || r.requestId !== null) {
    http.request = {};
    if (r.method !== null) http.request.method = r.method;
    if (r.requestId !== null) http.request.id = r.requestId;
  }
  if (r.status !== null) http.response = { status_code: r.status };
  if (http.request !== undefined || http.response !== undefined) doc.http = http;
}

function uniq(xs: Iterable<string>): string[] {
  return [...new Set(xs)];
}

/**
 * The ECS document of an event. Pure: no clock read except through the event, no I/O.
 * @param e the event
 * @param observer the node that reports it
 * @param red the redactor built from the node's secret-field config
 */
export function toEcs(e: PalisadeEvent, observer: ObserverInfo, red: Redactor): EcsSecurityEvent {
  const c = classify(e);
  const severity = e.severity ?? c.severity;
  const name = SEVERITY_NAMES[severity];
  const at = iso(e.time);
  const doc: EcsSecurityEvent = {
    "@timestamp": at,
    ecs: { version: ECS_VERSION },
    message: "",
    event: {
      kind: c.kind,
      category: [...c.category],
      type: [...c.type],
      action: c.action,
      outcome: c.outcome,
      severity,
      id: e.id,
      created: e.created === undefined || e.created === e.time ? at : iso(e.created),
      dataset: "palisade.security",
      module: "palisade",
    },
    log: { level: name, syslog: { severity: { code: severity, name } } },
    observer: {
      name: observer.node,
      type: "proxy",
      vendor: "Palisade",
      product: "Palisade",
      version: observer.version,
    },
    labels: { node: observer.node, region: observer.region },
    palisade: { category: e.category },
  };
  if (observer.hostname && observer.hostname !== observer.node) doc.observer.hostname = observer.hostname;
  if (e.route) doc.labels.route = e.route;
  if (e.consumer) doc.labels.consumer = e.consumer;
  if (e.traceId) doc.trace = { id: e.traceId };
  if (e.request) requestFields(doc, e.request, red);
  const who = e.request?.clientAddress ?? null;
  const on = e.route ? ` on route ${e.route}` : "";
  const from = who ? ` from ${who}` : "";

  switch (e.category) {
    case "policy_denial": {
      doc.event.code = e.code;
      doc.event.reason = e.reason;
      doc.palisade.reason = e.reason;
      doc.palisade.code = e.code;
      if (e.policy) doc.palisade.policy = { id: e.policy.id, type: e.policy.type };
      doc.rule = { name: e.reason, ruleset: "palisade-policies" };
      if (e.policy) {
        doc.rule.id = e.policy.id;
        doc.rule.category = e.policy.type;
      }
      if (observer.configVersion) doc.rule.version = observer.configVersion;
      const status = e.request?.status;
      doc.message = `${e.type.replace(/_/g, " ")} (${e.reason})${from}${on}: ${e.code}${status ? ` ${status}` : ""}`;
      break;
    }
    case "waf": {
      const rules = e.rules;
      // The rule that decided: the interrupting one, else the most severe (the first of equals).
      let primary: (typeof rules)[number] | null = null;
      for (const r of rules) {
        if (r.id === e.interruptingRuleId) {
          primary = r;
          break;
        }
        if (primary === null || (r.severity ?? 8) < (primary.severity ?? 8)) primary = r;
      }
      const messages = rules.map((r) => red.text(r.msg));
      doc.palisade.waf = {
        mode: e.mode,
        action: e.action,
        paranoia_level: e.paranoiaLevel,
        anomaly_score: { inbound: e.anomalyScore.inbound, outbound: e.anomalyScore.outbound },
        rule_ids: rules.map((r) => r.id),
        rule_messages: messages,
        rule_severities: rules.map((r) => (r.severity === null ? "" : SEVERITY_NAMES[r.severity])),
        tags: uniq(rules.flatMap((r) => r.tags)),
        matched_vars: uniq(rules.flatMap((r) => r.matchedVars)),
        logdata: rules.map((r) => (r.logdata === undefined ? "" : red.wafLogdata(r.logdata, r.matchedVars))),
      };
      if (e.detectionParanoiaLevel != null) doc.palisade.waf.detection_paranoia_level = e.detectionParanoiaLevel;
      if (e.threshold) doc.palisade.waf.threshold = { inbound: e.threshold.inbound, outbound: e.threshold.outbound };
      if (e.interruptingRuleId !== null) doc.palisade.waf.interrupting_rule_id = e.interruptingRuleId;
      if (e.policy) doc.palisade.policy = { id: e.policy.id, type: e.policy.type };
      doc.rule = { ruleset: e.ruleset.name, version: e.ruleset.version };
      if (primary) {
        doc.rule.id = String(primary.id);
        doc.rule.name = messages[rules.indexOf(primary)] ?? red.text(primary.msg);
        // The attack class: the deciding rule's, else the first any matched rule names (949110 names none).
        const attack = [primary, ...rules].flatMap((r) => r.tags).find((t) => t.startsWith("attack-"));
        if (attack) doc.rule.category = attack;
      }
      const verb = c.action === "waf_blocked" ? "blocked" : "detected";
      const what = primary ? ` ${primary.id} ${doc.rule.name ?? ""}`.trimEnd() : "";
      const method = e.request?.method ? ` ${e.request.method}` : "";
      const path = doc.url?.path ? ` ${doc.url.path}` : "";
      doc.message = `WAF ${verb}${method}${path}${from}${on}:${what} (inbound score ${e.anomalyScore.inbound}, PL${e.paranoiaLevel}, ${e.mode} mode)`;
      break;
    }
    case "anomaly": {
      const subject = e.action === "detected" ? e.subject : e.target;
      if (subject.type === "address" && !doc.source) {
        doc.source = { ip: subject.id };
        doc.client = { ip: subject.id };
      }
      const explanation = red.text(e.explanation);
      doc.rule = { name: e.detector, category: "anomaly", ruleset: "palisade-anomaly" };
      if (e.action === "detected") {
        doc.rule.id = e.detector;
        doc.palisade.anomaly = {
          detector: e.detector,
          detection_id: e.detectionId,
          level: e.level,
          scope: e.scope,
          subject_type: e.subject.type,
          subject_id: e.subject.id,
          score: e.score,
          observed: e.observed,
          baseline: e.baseline,
          threshold: e.threshold,
          unit: e.unit,
          explanation,
          mode: e.mode,
        };
        doc.message = `anomaly ${e.detector} (score ${e.score}): ${explanation}`;
      } else {
        doc.rule.id = e.detector;
        doc.palisade.decision = {
          id: e.decisionId,
          action: e.action,
          target_type: e.target.type,
          target_id: e.target.id,
          ttl_s: e.ttlS,
          enforced: e.enforced,
          source: e.source,
          detector: e.detector,
          explanation,
        };
        if (e.detectionId) doc.palisade.decision.detection_id = e.detectionId;
        const verb = e.action === "lifted" ? "lifted the decision on" : e.action === "deny" ? "denied" : "throttled";
        const ttl = e.action === "lifted" ? "" : ` for ${e.ttlS} s`;
        doc.message =
          e.action === "lifted" || e.enforced
            ? `${verb} ${e.target.type} ${e.target.id}${ttl} (${e.source}): ${explanation}`
            : `would have ${verb} ${e.target.type} ${e.target.id}${ttl} (${e.source}, detect mode: not enforced): ${explanation}`;
      }
      break;
    }
    case "config": {
      const detail = e.detail ? red.text(e.detail) : undefined;
      doc.palisade.config = { version: e.version };
      if (e.previousVersion) doc.palisade.config.previous_version = e.previousVersion;
      if (e.hash) doc.palisade.config.hash = e.hash;
      if (e.source) doc.palisade.config.source = e.source;
      if (detail) doc.palisade.config.detail = detail;
      doc.event.reason = e.action;
      doc.message =
        e.action === "applied"
          ? `config version ${e.version} applied`
          : e.action === "rejected"
            ? `config version ${e.version} rejected${detail ? `: ${detail}` : ""}`
            : `serving last-known-good config version ${e.version}${detail ? `: ${detail}` : ""}`;
      break;
    }
    case "siem": {
      const detail = e.detail ? red.text(e.detail) : undefined;
      doc.palisade.siem = { sink: e.sink };
      if (e.reason) doc.palisade.siem.reason = e.reason;
      if (e.count != null) doc.palisade.siem.count = e.count;
      if (detail) doc.palisade.siem.detail = detail;
      if (e.reason) doc.event.reason = e.reason;
      doc.message =
        e.action === "sink_up"
          ? `SIEM sink ${e.sink} is up`
          : e.action === "sink_down"
            ? `SIEM sink ${e.sink} is down${e.reason ? `: ${e.reason}` : ""}${detail ? ` (${detail})` : ""}`
            : `SIEM sink ${e.sink} dropped ${e.count ?? 0} events: ${e.reason ?? "unknown"}`;
      break;
    }
  }
  return doc;
}
