import type { Severity, WafRuleMatch } from "@palisade/events";
import type { Interruption, Transaction } from "@palisade/waf";
import type { CompiledWaf } from "../../config/compile-waf.js";
import type { WafEventDetail } from "../../events/security-events.js";
import type { WafRedaction } from "./waf-redaction.js";

/** Most rules an event lists (a payload matching every rule of a family must not make a 100 KB event). */
const MAX_RULES = 64;
/** Most matched variable names per rule. */
const MAX_VARS = 16;

/**
 * What a WAF event says about a transaction (the `@palisade/events` WafEvent fields): the policy's
 * mode, what happened to the request (`deny` when it was refused, `pass` when it went on), the
 * blocking and detection paranoia levels (CRS 900000/900001), the anomaly scores CRS left in TX
 * and the thresholds, the rules that matched in evaluation order (id, msg, tags, severity as the
 * syslog code CRS names — CRITICAL 2 … NOTICE 5 —, matched variable NAMES, logdata redacted), the
 * interrupting rule, and the rule set (`OWASP_CRS` and the version its SecComponentSignature
 * gives).
 * @param blocked the interruption that stopped the request, `null` when none did
 * @param error the engine failure, `null` when none
 */
export function wafEventDetail(
  waf: CompiledWaf,
  tx: Transaction | null,
  blocked: Interruption | null,
  error: string | null,
  redaction: WafRedaction,
): WafEventDetail {
  const w = waf.source.config.value as {
    paranoiaLevel?: number;
    detectionParanoiaLevel?: number;
    inboundAnomalyThreshold?: number;
    outboundAnomalyThreshold?: number;
  };
  const pl = w.paranoiaLevel || 1;
  const dpl = w.detectionParanoiaLevel || pl;
  const rules: WafRuleMatch[] = [];
  for (const m of tx?.matchedRules ?? []) {
    if (rules.length === MAX_RULES) break;
    const names: string[] = [];
    for (const v of m.matches) if (!names.includes(v.name) && names.length < MAX_VARS) names.push(v.name);
    rules.push({
      id: m.id,
      msg: redaction.text(m.msg),
      tags: m.tags,
      severity: m.severity === null ? null : (m.severity as Severity),
      matchedVars: names,
      logdata: redaction.logdata(m.logdata, names),
    });
  }
  const scores = tx?.anomalyScores();
  const interrupting = blocked ?? (waf.mode === "detect" ? (tx?.detectedInterruption ?? null) : null);
  return {
    mode: waf.mode,
    action: blocked !== null || (error !== null && !waf.failOpen) ? "deny" : "pass",
    paranoiaLevel: pl,
    detectionParanoiaLevel: dpl === pl ? null : dpl,
    anomalyScore: { inbound: scores?.inbound ?? 0, outbound: scores?.outbound ?? 0 },
    threshold: { inbound: w.inboundAnomalyThreshold || 5, outbound: w.outboundAnomalyThreshold || 4 },
    rules,
    interruptingRuleId: interrupting === null || interrupting.ruleId === 0 ? null : interrupting.ruleId,
    ruleset: { name: "OWASP_CRS", version: waf.ruleSet.parsed.crsVersion ?? "" },
    ...(error !== null ? { error } : {}),
  };
}
