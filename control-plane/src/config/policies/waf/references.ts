import { DomainError } from "../../../errors.js";
import type { StoredResource } from "../../../store/store.js";
import type { DraftIndex } from "../../draft-index.js";
import type { WafConfigBody } from "./validate.js";

/**
 * The rule set a `waf` policy runs and the routes its exclusions are scoped to (ids); none for
 * other types.
 */
export function wafRefs(p: StoredResource): { ruleSet: string; routes: { ref: string; field: string }[] } | undefined {
  if (p.body.type !== "waf") return undefined;
  const c = p.body.config as WafConfigBody;
  return {
    ruleSet: c.rule_set ?? "",
    routes: (c.exclusions ?? []).flatMap((e, i) =>
      (e.routes ?? []).map((ref, j) => ({ ref, field: `config.exclusions.${i}.routes.${j}` })),
    ),
  };
}

/**
 * Refuses a `waf` policy whose rule set is missing or whose exclusion names a missing route (the
 * snapshot consistency check, as for routes).
 * @throws DomainError REFERENCE_NOT_FOUND naming `policies.<name>.config.rule_set` or
 *   `policies.<name>.config.exclusions.N.routes.M`
 */
export function checkWafReferences(p: StoredResource, index: DraftIndex): void {
  const refs = wafRefs(p);
  if (!refs) return;
  if (!index.hasRuleSet(refs.ruleSet))
    throw new DomainError(
      "REFERENCE_NOT_FOUND",
      `policy ${p.name} names a missing rule set`,
      `policies.${p.name}.config.rule_set`,
    );
  for (const r of refs.routes)
    if (!index.hasRoute(r.ref))
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        `policy ${p.name} names a missing route`,
        `policies.${p.name}.${r.field}`,
      );
}
