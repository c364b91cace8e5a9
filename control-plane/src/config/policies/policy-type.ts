import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PolicySchema } from "@palisade/proto";

/** A policy's `config` as stored (the API body's `config`, references resolved to ids). */
export type PolicyJson = Record<string, unknown>;

/** The `Policy.config` oneof of the proto message: the model a stored config maps onto. */
export type PolicyConfigInit = NonNullable<Exclude<MessageInitShape<typeof PolicySchema>["config"], undefined>>;

/**
 * One policy type, as its folder defines it (like Kong's `kong/plugins/<name>/`): the JSON
 * Schema of its `config`, the semantic checks JSON Schema cannot express (mirroring what a
 * node's compile refuses, so a config that passes is never NACKed for it), and the mapping onto
 * its proto message.
 */
export interface PolicyTypeSpec {
  /** JSON Schema (draft-07) of the `config` member of the policy body. */
  readonly schema: object;
  /**
   * Checks a schema-valid config; absent when the schema says it all.
   * @throws DomainError VALIDATION_FAILED naming the field (`config.…`)
   */
  readonly check?: (config: PolicyJson) => void;
  /** The `Policy.config` oneof of the stored config (absent fields become the proto's defaults). */
  readonly toConfig: (config: PolicyJson) => PolicyConfigInit;
  /** An authentication method (a member an `auth-any` may list). */
  readonly authenticates?: boolean;
  /** Acts on one route's upstream choice: never global, at most one of the type per route. */
  readonly routeOnly?: boolean;
}
