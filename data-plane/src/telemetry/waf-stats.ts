import { WAF_INSPECTION_BUCKETS_S } from "@palisade/events";

/**
 * WAF counters per route (issue 14): what the node reports in `NodeReport.waf` (interval counts,
 * computed by the reporter from these cumulative ones) and what the control plane sums for
 * `GET /v1/security/waf` (the web admin's WAF by route and top rules). Counts are since the node
 * started (monotonic), so a cluster primary sums its workers' exactly; recording allocates only
 * for a rule seen for the first time on a route.
 */

/**
 * Upper bounds (ms) of the WAF inspection time histogram (`palisade_waf_inspection_duration_seconds`):
 * the metric catalogue's WAF_INSPECTION_BUCKETS_S in ms, 10 µs to 100 ms; one more bucket holds
 * everything above.
 */
export const WAF_INSPECTION_BUCKETS_MS: readonly number[] = Object.freeze(
  WAF_INSPECTION_BUCKETS_S.map((s) => s * 1000),
);

/**
 * The rule groups a block is counted under: OWASP CRS v4's `attack-*` tags (the rule files'
 * classes, as ECS `rule.category` carries them); a block whose rules name none of them (a body
 * over the limit, a custom rule's own tag) is `other`. A closed set, so the label stays bounded
 * whatever tags a rule set declares.
 */
export const WAF_RULE_GROUPS: ReadonlySet<string> = new Set([
  "attack-deprecated-header",
  "attack-disclosure",
  "attack-fixation",
  "attack-generic",
  "attack-injection-generic",
  "attack-injection-java",
  "attack-injection-php",
  "attack-lfi",
  "attack-multipart-header",
  "attack-protocol",
  "attack-rce",
  "attack-reputation-scanner",
  "attack-rfi",
  "attack-sqli",
  "attack-ssrf",
  "attack-ssti",
  "attack-xss",
]);

/**
 * The rule group of a block: the first {@link WAF_RULE_GROUPS} tag of the interrupting rule, else
 * of the matched rules in evaluation order (CRS's 949110 names none: the rules that scored do),
 * else `other`.
 * @param rules the transaction's matched rules (id and tags)
 * @param interruptingRuleId the rule that stopped the request (0 or unknown: none)
 */
export function ruleGroupOf(
  rules: readonly { readonly id: number; readonly tags: readonly string[] }[],
  interruptingRuleId: number,
): string {
  for (const r of rules) if (r.id === interruptingRuleId) for (const t of r.tags) if (WAF_RULE_GROUPS.has(t)) return t;
  for (const r of rules) for (const t of r.tags) if (WAF_RULE_GROUPS.has(t)) return t;
  return "other";
}

/** One route's WAF counters (the waf policy that ran on it is part of the key). */
export class RouteWafCounters {
  /** Requests inspected (sampled in). */
  inspected = 0;
  /** Inspected requests neither stopped, nor would-be stopped, nor failed on. */
  passed = 0;
  /** Inspected requests with at least one rule match. */
  matched = 0;
  /** Requests stopped (block mode). */
  blocked = 0;
  /** Requests that would have been stopped (detect mode). */
  detected = 0;
  /** Requests whose body was over the inspection limit. */
  bodyOverLimit = 0;
  /** Requests the engine failed on. */
  engineErrors = 0;
  /** Requests not inspected because of sampling. */
  sampledOut = 0;
  /** Rule id → [transactions it matched in, of those the stopped (or would-be stopped) ones]. */
  readonly rules = new Map<number, [number, number]>();
  /** Stopped requests by rule group ({@link ruleGroupOf}). */
  readonly blockGroups = new Map<string, number>();
  /** Inspected requests per bucket of {@link WAF_INSPECTION_BUCKETS_MS} (plus +Inf) by their time in the WAF. */
  readonly inspectionBuckets = new Float64Array(WAF_INSPECTION_BUCKETS_MS.length + 1);
  /** The WAF's time on the inspected requests, ms. */
  inspectionSumMs = 0;

  /** Counts one inspected request's time in the WAF, ms. */
  timed(ms: number): void {
    const b = WAF_INSPECTION_BUCKETS_MS;
    let i = 0;
    while (i < b.length && ms > b[i]!) i++;
    this.inspectionBuckets[i]!++;
    this.inspectionSumMs += ms;
  }

  /** Counts one stopped request under its rule group. */
  blockedIn(group: string): void {
    this.blockGroups.set(group, (this.blockGroups.get(group) ?? 0) + 1);
  }

  /** Counts one transaction's matched rules (each rule once per transaction). */
  hit(ruleIds: readonly number[], blocking: boolean): void {
    for (let i = 0; i < ruleIds.length; i++) {
      const id = ruleIds[i]!;
      if (ruleIds.indexOf(id) !== i) continue;
      const r = this.rules.get(id);
      if (r === undefined) this.rules.set(id, [1, blocking ? 1 : 0]);
      else {
        r[0]++;
        if (blocking) r[1]++;
      }
    }
  }
}

/** One route's counters as plain numbers (a copy, mergeable by addition): what a worker sends its primary. */
export interface RouteWafRaw {
  readonly routeId: string;
  readonly policyId: string;
  readonly inspected: number;
  readonly passed: number;
  readonly matched: number;
  readonly blocked: number;
  readonly detected: number;
  readonly bodyOverLimit: number;
  readonly engineErrors: number;
  readonly sampledOut: number;
  /** `[rule id, hits, blocking]`, by rule id. */
  readonly rules: readonly (readonly [number, number, number])[];
  /** `[rule group, stopped requests]`, by group. */
  readonly blockGroups: readonly (readonly [string, number])[];
  /** Inspected requests per bucket of {@link WAF_INSPECTION_BUCKETS_MS}, plus +Inf. */
  readonly inspectionBuckets: readonly number[];
  /** The WAF's time on the inspected requests, ms. */
  readonly inspectionSumMs: number;
}

/** Where reports read WAF counters: WafStats, or a cluster primary's sum over its workers. */
export interface WafSource {
  /** Every route's cumulative counters, ordered by route id then policy id. */
  wafRaw(): RouteWafRaw[];
}

const COUNTS = [
  "inspected",
  "passed",
  "matched",
  "blocked",
  "detected",
  "bodyOverLimit",
  "engineErrors",
  "sampledOut",
] as const;

/** `a + b` for one route and policy, field by field, rules by id. */
export function addWafRaw(a: RouteWafRaw, b: RouteWafRaw): RouteWafRaw {
  const rules = new Map<number, [number, number]>();
  for (const [id, h, bl] of [...a.rules, ...b.rules]) {
    const r = rules.get(id);
    if (r === undefined) rules.set(id, [h, bl]);
    else {
      r[0] += h;
      r[1] += bl;
    }
  }
  const groups = new Map<string, number>(a.blockGroups);
  for (const [g, n] of b.blockGroups) groups.set(g, (groups.get(g) ?? 0) + n);
  const out: Record<string, unknown> = { routeId: a.routeId, policyId: a.policyId };
  for (const k of COUNTS) out[k] = a[k] + b[k];
  out.rules = sortedRules(rules);
  out.blockGroups = [...groups].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  out.inspectionBuckets = a.inspectionBuckets.map((n, i) => n + (b.inspectionBuckets[i] ?? 0));
  out.inspectionSumMs = a.inspectionSumMs + b.inspectionSumMs;
  return out as unknown as RouteWafRaw;
}

/** Merges lists of raw counters (several processes) by route and policy. */
export function mergeWafRaw(lists: Iterable<readonly RouteWafRaw[]>): RouteWafRaw[] {
  const byKey = new Map<string, RouteWafRaw>();
  for (const list of lists)
    for (const r of list) {
      const key = `${r.routeId}\n${r.policyId}`;
      const held = byKey.get(key);
      byKey.set(key, held === undefined ? r : addWafRaw(held, r));
    }
  return [...byKey.values()].sort(byRoute);
}

function sortedRules(rules: ReadonlyMap<number, [number, number]>): [number, number, number][] {
  return [...rules.entries()].sort((x, y) => x[0] - y[0]).map(([id, [h, b]]) => [id, h, b]);
}

function byRoute(a: RouteWafRaw, b: RouteWafRaw): number {
  return a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : a.policyId < b.policyId ? -1 : 1;
}

/** The WAF counters of every route a waf policy ran on, one per node process. */
export class WafStats implements WafSource {
  readonly #routes = new Map<string, RouteWafCounters>();

  /** The counters of a route and its waf policy, created on first use. */
  route(routeId: string, policyId: string): RouteWafCounters {
    const key = `${routeId}\n${policyId}`;
    let c = this.#routes.get(key);
    if (c === undefined) {
      c = new RouteWafCounters();
      this.#routes.set(key, c);
    }
    return c;
  }

  wafRaw(): RouteWafRaw[] {
    const out: RouteWafRaw[] = [];
    for (const [key, c] of this.#routes) {
      const at = key.indexOf("\n");
      out.push({
        routeId: key.slice(0, at),
        policyId: key.slice(at + 1),
        inspected: c.inspected,
        passed: c.passed,
        matched: c.matched,
        blocked: c.blocked,
        detected: c.detected,
        bodyOverLimit: c.bodyOverLimit,
        engineErrors: c.engineErrors,
        sampledOut: c.sampledOut,
        rules: sortedRules(c.rules),
        blockGroups: [...c.blockGroups].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
        inspectionBuckets: Array.from(c.inspectionBuckets),
        inspectionSumMs: c.inspectionSumMs,
      });
    }
    return out.sort(byRoute);
  }
}

/** Rules per route in a report (`NodeReport.waf`: the most frequent, the rest summed). */
export const REPORT_RULES = 32;
/** Routes per report (the busiest by inspected requests; the rest summed under route id ""). */
export const REPORT_ROUTES = 256;

/** One route's interval figures, as `NodeReport.waf` carries them. */
export interface WafInterval
  extends Omit<RouteWafRaw, "rules" | "blockGroups" | "inspectionBuckets" | "inspectionSumMs"> {
  /** `[rule id, hits, blocking]`, most hits first, at most {@link REPORT_RULES}. */
  readonly rules: readonly (readonly [number, number, number])[];
  readonly otherRuleHits: number;
}

/**
 * The interval between two cumulative readings: per route, the differences (routes that did
 * nothing are left out), the {@link REPORT_RULES} most hit rules and the rest summed, at most
 * {@link REPORT_ROUTES} routes (the busiest by inspected requests; the rest summed under route
 * id `""`, policy id `""`).
 */
export function wafInterval(now: readonly RouteWafRaw[], before: readonly RouteWafRaw[]): WafInterval[] {
  const prev = new Map(before.map((r) => [`${r.routeId}\n${r.policyId}`, r]));
  const out: Array<WafInterval & { allRules: Map<number, [number, number]> }> = [];
  for (const r of now) {
    const p = prev.get(`${r.routeId}\n${r.policyId}`);
    const d: Record<string, number> = {};
    let any = false;
    for (const k of COUNTS) {
      d[k] = r[k] - (p?.[k] ?? 0);
      if (d[k]! > 0) any = true;
    }
    if (!any) continue;
    const old = new Map((p?.rules ?? []).map(([id, h, b]) => [id, [h, b] as const]));
    const allRules = new Map<number, [number, number]>();
    for (const [id, h, b] of r.rules) {
      const o = old.get(id);
      const dh = h - (o?.[0] ?? 0);
      if (dh > 0) allRules.set(id, [dh, b - (o?.[1] ?? 0)]);
    }
    out.push({
      ...(d as unknown as WafInterval),
      routeId: r.routeId,
      policyId: r.policyId,
      allRules,
      rules: [],
      otherRuleHits: 0,
    });
  }
  out.sort((a, b) => b.inspected - a.inspected || (a.routeId < b.routeId ? -1 : 1));
  if (out.length > REPORT_ROUTES) {
    const rest = out.splice(REPORT_ROUTES - 1);
    const sum = { ...rest[0]!, routeId: "", policyId: "", allRules: new Map<number, [number, number]>() };
    for (const k of COUNTS) (sum as Record<string, unknown>)[k] = rest.reduce((n, x) => n + x[k], 0);
    for (const x of rest)
      for (const [id, [h, b]] of x.allRules) {
        const s = sum.allRules.get(id);
        if (s === undefined) sum.allRules.set(id, [h, b]);
        else {
          s[0] += h;
          s[1] += b;
        }
      }
    out.push(sum);
  }
  return out.map(({ allRules, ...w }) => {
    const ranked = [...allRules].sort((a, b) => b[1][0] - a[1][0] || a[0] - b[0]);
    let other = 0;
    for (const [, [h]] of ranked.slice(REPORT_RULES)) other += h;
    return {
      ...w,
      rules: ranked.slice(0, REPORT_RULES).map(([id, [h, b]]) => [id, h, b] as const),
      otherRuleHits: other,
    };
  });
}
