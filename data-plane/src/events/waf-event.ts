import type { WafEvent } from "@palisade/events";
import type { SecurityEvent } from "./security-events.js";

/**
 * A WAF security event of the node's channel as `@palisade/events`' {@link WafEvent}, the shape
 * `toEcs` turns into the ECS document every SIEM sink receives (`palisade.category: waf`, action
 * `waf_blocked` or `waf_detected`); `null` for an event without WAF detail. The query string is
 * left out (the node's events never hold it).
 */
export function wafEventOf(e: SecurityEvent): WafEvent | null {
  const w = e.waf;
  if (w === undefined) return null;
  return {
    category: "waf",
    id: e.id ?? `${e.requestId ?? "request"}-${e.time}`,
    time: e.time,
    route: e.route,
    consumer: e.consumer,
    mode: w.mode,
    action: w.action,
    paranoiaLevel: w.paranoiaLevel,
    detectionParanoiaLevel: w.detectionParanoiaLevel ?? null,
    anomalyScore: w.anomalyScore,
    threshold: w.threshold ?? null,
    rules: w.rules,
    interruptingRuleId: w.interruptingRuleId,
    ruleset: w.ruleset,
    policy: e.policy === null ? null : { id: e.policy, type: e.policyType ?? "waf" },
    request: {
      clientAddress: e.clientAddress,
      clientPort: null,
      method: e.method,
      path: e.path,
      query: null,
      status: e.status,
      requestId: e.requestId,
    },
  };
}
