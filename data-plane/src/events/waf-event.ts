import { type EventCommon, newEventId, type RequestFacts, type WafEvent } from "@palisade/events";
import type { SecurityEvent } from "./security-events.js";

/**
 * The fields every `@palisade/events` event made from a node security event shares: its id (the
 * event's own, else a new UUID), time (ms since the epoch), W3C trace id, route, consumer and the
 * request's facts. The query string is left out (the node's events never hold it). Pure.
 */
export function eventCommonOf(e: SecurityEvent): EventCommon & { readonly request: RequestFacts } {
  return {
    id: e.id ?? newEventId(),
    time: e.time,
    traceId: e.traceId ?? null,
    route: e.route,
    consumer: e.consumer,
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

/**
 * A WAF security event of the node's channel as `@palisade/events`' {@link WafEvent}, the shape
 * `toEcs` turns into the ECS document every SIEM sink receives (`palisade.category: waf`, action
 * `waf_blocked` or `waf_detected`); `null` for an event without WAF detail. An engine failure's
 * `error` is not part of the schema: it is the node's log's.
 */
export function wafEventOf(e: SecurityEvent): WafEvent | null {
  const w = e.waf;
  if (w === undefined) return null;
  return {
    ...eventCommonOf(e),
    category: "waf",
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
  };
}
