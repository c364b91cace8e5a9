import type { AdminClient } from "./admin-client.js";

/**
 * Names references: returns a function giving a resource as the API shows it with the ids it
 * references replaced by names — a route's upstream and policies, a waf policy's rule set and
 * exclusion routes (and, when it is the default rule set, none: a file that names no rule set
 * means the default). The lists are fetched once, on first use, not once per resource.
 */
export function refNamer(
  api: AdminClient,
): (kind: string, r: Record<string, unknown>) => Promise<Record<string, unknown>> {
  const lists = new Map<string, Promise<Map<string, Record<string, unknown>>>>();
  const byId = (kind: string) => {
    let p = lists.get(kind);
    if (!p) {
      p = api
        .request<{ items: Record<string, unknown>[] }>("GET", `/v1/${kind}`)
        .then((list) => new Map(list.items.map((r) => [r.id as string, r])));
      lists.set(kind, p);
    }
    return p;
  };
  const nameOf = async (kind: string, id: unknown) => ((await byId(kind)).get(id as string)?.name as string) ?? id;
  return async (kind, r) => {
    if (kind === "routes") {
      const out: Record<string, unknown> = { ...r, upstream: await nameOf("upstreams", r.upstream) };
      if (Array.isArray(r.policies)) out.policies = await Promise.all(r.policies.map((id) => nameOf("policies", id)));
      return out;
    }
    if (kind !== "policies" || r.type !== "waf") return r;
    const c = { ...(r.config as Record<string, unknown>) };
    const ruleSet = (await byId("rule-sets")).get(c.rule_set as string);
    if (ruleSet?.default === true) delete c.rule_set;
    else if (ruleSet) c.rule_set = ruleSet.name;
    if (Array.isArray(c.exclusions))
      c.exclusions = await Promise.all(
        (c.exclusions as Record<string, unknown>[]).map(async (x) =>
          Array.isArray(x.routes) ? { ...x, routes: await Promise.all(x.routes.map((id) => nameOf("routes", id))) } : x,
        ),
      );
    return { ...r, config: c };
  };
}
