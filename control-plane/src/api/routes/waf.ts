import type { FastifyInstance } from "fastify";
import type { WafConfigBody } from "../../config/policies/waf/validate.js";
import { parsedRuleSetOf } from "../../config/rule-sets.js";
import { DomainError } from "../../errors.js";
import type { FleetRegistry } from "../../fleet/fleet-registry.js";
import { summarizeWaf } from "../../fleet/waf-report.js";
import type { Store, StoredResource } from "../../store/store.js";
import { digits, queryInt } from "../query.js";
import { anyValue, int, list, nullable, obj, replies, str } from "../response-schemas.js";

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

/**
 * WAF endpoints beside the rule set CRUD (issue 14):
 * - `GET /v1/rule-sets/{id}/rules?q=&limit=`: the rules of a rule set (every paranoia level,
 *   before exclusions) matching `q` — a rule id or its start (`9421`), or words found in the
 *   message or a tag (case-insensitive) — `{rule_set: {id, name}, total, items: [{id, phase, msg,
 *   tags, severity, paranoia_level, file, line}]}`, by id, at most `limit` (1-1000, default 50):
 *   the rule lookup of the waf policy form;
 * - `GET /v1/security/waf?window_s=`: what the nodes' WAFs did per route over the last
 *   `window_s` seconds (10-1800, default 900), summed over every node's reports
 *   (`NodeReport.waf`): `{window_s, nodes, routes: [{route_id, route_name, policy_id,
 *   policy_name, inspected, matched, blocked, detected, body_over_limit, engine_errors,
 *   sampled_out, nodes, top_rules: [{id, hits, blocking, msg}], other_rule_hits}]}`, the routes
 *   with the most blocked and detected requests first.
 */
/** A rule of a rule set (`GET /v1/rule-sets/{id}/rules`). */
const RULE = obj(
  {
    id: int,
    phase: int,
    msg: str,
    tags: list(str),
    severity: anyValue,
    paranoia_level: anyValue,
    file: str,
    line: int,
  },
  ["id", "phase", "msg", "tags", "file", "line"],
);

const RULES = obj({ rule_set: obj({ id: str, name: str }, ["id", "name"]), total: int, items: list(RULE) }, [
  "rule_set",
  "total",
  "items",
]);

/** The fleet's WAF figures by route and policy (`GET /v1/security/waf`). */
const WAF_FIGURES = obj(
  {
    window_s: int,
    nodes: { type: "integer", description: "nodes that reported in the window" },
    routes: list(
      obj(
        {
          route_id: str,
          route_name: nullable("string"),
          policy_id: str,
          policy_name: nullable("string"),
          top_rules: list(obj({ id: int, msg: str })),
        },
        ["route_id", "policy_id", "top_rules"],
      ),
    ),
  },
  ["window_s", "nodes", "routes"],
);

export function registerWafRoutes(app: FastifyInstance, store: Store, fleet: FleetRegistry | undefined): void {
  app.get(
    "/v1/rule-sets/:id/rules",
    {
      schema: {
        params: idParam,
        querystring: {
          type: "object",
          properties: { q: { type: "string", maxLength: 200 }, limit: digits },
        },
        response: replies(RULES),
      },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const r = await store.getResource("rule-sets", id);
      if (!r) throw new DomainError("NOT_FOUND", `no rule set ${JSON.stringify(id)}`);
      const limit = queryInt(req.query, "limit", 1, 1000) ?? 50;
      const q = ((req.query as { q?: string }).q ?? "").trim().toLowerCase();
      const words = q.split(/\s+/).filter((w) => w !== "");
      const found = parsedRuleSetOf(r)
        .rules()
        .filter((rule) => {
          if (words.length === 0) return true;
          if (/^\d+$/.test(q)) return String(rule.id).startsWith(q);
          const text = `${rule.id} ${rule.msg} ${rule.tags.join(" ")}`.toLowerCase();
          return words.every((w) => text.includes(w));
        });
      return {
        rule_set: { id: r.id, name: r.name },
        total: found.length,
        items: found.slice(0, limit).map((rule) => ({
          id: rule.id,
          phase: rule.phase,
          msg: rule.msg,
          tags: rule.tags,
          severity: rule.severity,
          paranoia_level: rule.paranoiaLevel,
          file: rule.file,
          line: rule.line,
        })),
      };
    },
  );

  app.get(
    "/v1/security/waf",
    { schema: { querystring: { type: "object", properties: { window_s: digits } }, response: replies(WAF_FIGURES) } },
    async (req) => {
      const windowS = queryInt(req.query, "window_s", 10, 1800) ?? 900;
      const perNode = fleet ? [...fleet.reportsSince(Date.now() - windowS * 1000)] : [];
      const summaries = summarizeWaf(perNode.map((reports) => reports.flatMap((p) => p.waf)));
      const names = async (kind: "routes" | "policies") =>
        new Map((await store.listResources(kind)).map((x) => [x.id, x]));
      const routes = await names("routes");
      const policies = await names("policies");
      const ruleSetOf = (policyId: string) =>
        (policies.get(policyId)?.body.config as WafConfigBody | undefined)?.rule_set;
      // The rule sets the summarized policies run, read once each.
      const ruleSets = new Map<string, StoredResource | undefined>();
      for (const s of summaries) {
        const id = ruleSetOf(s.policy_id);
        if (id !== undefined && !ruleSets.has(id)) ruleSets.set(id, await store.getResource("rule-sets", id));
      }
      const catalogs = new Map<string, Map<number, string>>();
      const msgOf = (policyId: string, rule: number): string => {
        const ruleSetId = ruleSetOf(policyId);
        const rs = ruleSetId ? ruleSets.get(ruleSetId) : undefined;
        if (!rs) return "";
        let catalog = catalogs.get(rs.id);
        if (!catalog) {
          catalog = new Map(
            parsedRuleSetOf(rs)
              .rules()
              .map((x) => [x.id, x.msg]),
          );
          catalogs.set(rs.id, catalog);
        }
        return catalog.get(rule) ?? "";
      };
      return {
        window_s: windowS,
        nodes: perNode.filter((reports) => reports.length > 0).length,
        routes: summaries.map((s) => ({
          ...s,
          route_name: routes.get(s.route_id)?.name ?? null,
          policy_name: policies.get(s.policy_id)?.name ?? null,
          top_rules: s.top_rules.map((t) => ({ ...t, msg: msgOf(s.policy_id, t.id) })),
        })),
      };
    },
  );
}
