import { DomainError } from "../errors.js";
import type { StoredResource } from "../store/store.js";
import type { DraftIndex } from "./draft-index.js";
import { checkAuthAnyMembers } from "./policies/auth-any/validate.js";
import { checkPolicyUpstreams } from "./policies/upstream-refs.js";
import { checkWafReferences } from "./policies/waf/references.js";
import { checkRouteAction } from "./routes/action.js";
import { checkRouteMatchers } from "./routes/match.js";
import { checkRouteReferences } from "./routes/validate.js";

/** What of a draft a check covers: the whole draft (`buildSnapshot`), or what a publish changed. */
export interface CheckScope {
  /** The global policies (ids) of the settings; checked when given. */
  readonly globalPolicies?: readonly string[];
  readonly routes: Iterable<StoredResource>;
  readonly policies: Iterable<StoredResource>;
}

/**
 * The snapshot consistency check, the one both `buildSnapshot` (the whole draft) and
 * `Publisher.publish` (the resources a publish changed, or every one) run: no dangling reference
 * is served (go-control-plane's `pkg/cache/v3/snapshot.go` consistency check). In order:
 * the global policies exist; each route's upstream and policies exist, and its matchers and
 * actions hold (checked on write too; a draft from elsewhere, an import or an older build's
 * database, is checked again here so no node is sent a regex it must refuse); each `auth-any`
 * lists existing authentication policies; each `canary`/`mirror` names existing upstreams; each
 * `waf` policy's rule set and exclusion routes exist. The publisher also compiles each waf policy
 * with its rule set (policies/waf/validate.ts `checkWafPolicy`): that needs the store and a cache.
 * @throws DomainError REFERENCE_NOT_FOUND naming the field of the reference
 *   (`routes.<name>.upstream`, `policies.<name>.config…`, `settings.global_policies`);
 *   VALIDATION_FAILED for a route matcher or action, or an `auth-any` member that does not
 *   authenticate
 */
export function checkSnapshot(index: DraftIndex, scope: CheckScope): void {
  for (const p of scope.globalPolicies ?? [])
    if (!index.hasPolicy(p))
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        "the global policies name a missing policy",
        "settings.global_policies",
      );
  for (const r of scope.routes) {
    checkRouteReferences(r, index);
    checkRouteMatchers(r.body, `routes.${r.name}.`);
    checkRouteAction(r.body, `routes.${r.name}.`);
  }
  const policies = [...scope.policies];
  for (const p of policies) checkAuthAnyMembers(p, index);
  for (const p of policies) checkPolicyUpstreams(p, index);
  for (const p of policies) checkWafReferences(p, index);
}
