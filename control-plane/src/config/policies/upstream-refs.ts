import { DomainError } from "../../errors.js";
import type { StoredResource } from "../../store/store.js";
import type { DraftIndex } from "../draft-index.js";

/**
 * Upstream references held inside policy configs (`canary` splits and overrides, `mirror`'s
 * shadow upstream), the way route → upstream references are held in routes: resolved from an id
 * or a name to the id on write, checked at publish (no dangling reference is served), and a
 * referenced upstream cannot be deleted.
 */

/** One upstream reference of a policy config and the field that holds it (`config.splits.0.upstream`). */
export interface PolicyUpstreamRef {
  readonly ref: string;
  readonly field: string;
}

interface CanaryRefs {
  splits?: Array<{ upstream: string }>;
  overrides?: Array<{ upstream: string }>;
}

/**
 * The upstream references of a policy config, in config order.
 * @param type policy type; types without upstream references give `[]`
 */
export function policyUpstreamRefs(type: string, config: Record<string, unknown>): PolicyUpstreamRef[] {
  if (type === "mirror") return [{ ref: config.upstream as string, field: "config.upstream" }];
  if (type !== "canary") return [];
  const c = config as CanaryRefs;
  return [
    ...(c.splits ?? []).map((s, i) => ({ ref: s.upstream, field: `config.splits.${i}.upstream` })),
    ...(c.overrides ?? []).map((o, i) => ({ ref: o.upstream, field: `config.overrides.${i}.upstream` })),
  ];
}

/**
 * A copy of a policy config with every upstream reference replaced by `resolve(ref, field)`
 * (a name becomes the upstream's id).
 * @throws whatever `resolve` throws (REFERENCE_NOT_FOUND naming the field)
 */
export function resolvePolicyUpstreams(
  type: string,
  config: Record<string, unknown>,
  resolve: (ref: string, field: string) => string,
): Record<string, unknown> {
  if (type === "mirror") return { ...config, upstream: resolve(config.upstream as string, "config.upstream") };
  if (type !== "canary") return config;
  const c = config as CanaryRefs & Record<string, unknown>;
  const out: Record<string, unknown> = { ...c };
  if (c.splits)
    out.splits = c.splits.map((s, i) => ({ ...s, upstream: resolve(s.upstream, `config.splits.${i}.upstream`) }));
  if (c.overrides)
    out.overrides = c.overrides.map((o, i) => ({
      ...o,
      upstream: resolve(o.upstream, `config.overrides.${i}.upstream`),
    }));
  return out;
}

/**
 * Refuses a `canary` or `mirror` policy that names a missing upstream (the snapshot consistency
 * check, as for routes).
 * @throws DomainError REFERENCE_NOT_FOUND naming `policies.<name>.config.splits.0.upstream` (the
 *   config field that holds the reference)
 */
export function checkPolicyUpstreams(p: StoredResource, index: DraftIndex): void {
  for (const r of policyUpstreamRefs(p.body.type as string, p.body.config as Record<string, unknown>))
    if (!index.hasUpstream(r.ref))
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        `policy ${p.name} names a missing upstream`,
        `policies.${p.name}.${r.field}`,
      );
}
