/**
 * Which resources a version's draft holds, by id: what the snapshot consistency check
 * (snapshot-check.ts) reads. `buildSnapshot` answers from the whole draft's lists, the publisher
 * from its per-resource cache of the version being built.
 */
export interface DraftIndex {
  hasUpstream(id: string): boolean;
  hasPolicy(id: string): boolean;
  /** The policy's type, undefined when the draft has no such policy (or its type is not known). */
  policyType(id: string): string | undefined;
  hasRoute(id: string): boolean;
  /** Whether the rule set exists (WAF rule sets are draft resources too). */
  hasRuleSet(id: string): boolean;
}
