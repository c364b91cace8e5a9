import type { RouteWaf } from "../../config/compile-waf.js";
import type { WafStats } from "../../telemetry/waf-stats.js";
import type { Policy } from "../contract.js";
import { createWafPolicy } from "./waf-policy.js";

/**
 * The waf policy instances of a node, one per compiled route WAF ({@link RouteWaf}: a policy's
 * rule set compiled with the exclusions of a route), kept while the table holds that RouteWaf —
 * so a config version that leaves a waf policy unchanged keeps the same instance, and the routes
 * that run it are reused as they are.
 */
export class WafPolicies {
  readonly #instances = new WeakMap<RouteWaf, Policy>();
  readonly #stats: WafStats | null;

  /** @param stats where the instances count (reports); `null`: nowhere */
  constructor(stats: WafStats | null) {
    this.#stats = stats;
  }

  /** The policy instance that runs `route` (made on first use). */
  instance(route: RouteWaf): Policy {
    let p = this.#instances.get(route);
    if (p === undefined) {
      p = createWafPolicy(route, this.#stats);
      this.#instances.set(route, p);
    }
    return p;
  }
}
