import type { CompiledUpstream } from "../config/runtime-table.js";
import type { ConsumerIndex } from "./auth/consumers.js";

/**
 * What a policy factory (config → instance) may use besides its config. All of it is I/O-free
 * at build time.
 */
export interface PolicyContext {
  /** The policy's config id. */
  readonly id: string;
  /** Warn-level log sink for operational problems (e.g. a JWKS URL that cannot be fetched). */
  readonly warn: (fields: Record<string, unknown>, msg: string) => void;
  /** Consumers and their credentials from the same snapshot. */
  readonly consumers: ConsumerIndex;
  /** The snapshot's compiled upstreams by id (policies that route or mirror requests). */
  readonly upstreams?: ReadonlyMap<string, CompiledUpstream>;
}

/** Thrown by a policy factory when its config is invalid; compile turns it into `POLICY_INVALID`. */
export class PolicyConfigError extends Error {
  override readonly name = "PolicyConfigError";
}
