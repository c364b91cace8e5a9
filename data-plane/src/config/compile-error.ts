import { ConfigErrorKind } from "@palisade/proto";

/** Why a snapshot was refused; sent to the control plane in the NACK's `error.code`. */
export const COMPILE_ERROR_CODES = [
  /** A policy's oneof is unset: the control plane is newer and sent a type this build does not know. */
  "POLICY_TYPE_UNKNOWN",
  /** A policy type this build knows but that is not enabled on this node (`--policies`). */
  "POLICY_TYPE_UNSUPPORTED",
  /** A route references an upstream or a policy that is not in the snapshot. */
  "REFERENCE_MISSING",
  /** A policy's config is invalid (unparseable JWKS, `none` in algorithms, …). */
  "POLICY_INVALID",
  /** A route or upstream is invalid (duplicate id, bad host pattern, path, port, weight, scheme). */
  "RESOURCE_INVALID",
  /** A WAF rule set does not parse or compile; the message names the file, line and rule id. */
  "RULE_SET_INVALID",
  /** The update's resources do not decode, or do not hash to the update's content hash. */
  "SNAPSHOT_INVALID",
  /** A delta over a config this node does not hold: the control plane answers with a full update. */
  "BASE_MISMATCH",
  /** Compiling failed for a reason that is this node's fault (a bug); details are in its log. */
  "INTERNAL",
] as const;

/**
 * Who is to blame for a refusal with `code`, as the NACK's `error.kind` says it: `INTERNAL` is
 * the node's fault, `BASE_MISMATCH` is neither (it asks for a full update), every other code
 * (and an unknown one a worker may send) refuses the config itself.
 */
export function errorKindOf(code: string): ConfigErrorKind {
  if (code === "INTERNAL") return ConfigErrorKind.NODE_FAULT;
  if (code === "BASE_MISMATCH") return ConfigErrorKind.UNSPECIFIED;
  return ConfigErrorKind.CONFIG;
}

/** One of {@link COMPILE_ERROR_CODES}. */
export type CompileErrorCode = (typeof COMPILE_ERROR_CODES)[number];

/**
 * A snapshot that cannot be compiled. `resource` names the part at fault as `kind/id`, e.g.
 * `route/echo` or `policy/jwt-demo`; the message names the field and never holds key material.
 */
export class CompileError extends Error {
  override readonly name = "CompileError";
  readonly code: CompileErrorCode;
  readonly resource: string;

  constructor(code: CompileErrorCode, message: string, resource: string) {
    super(message);
    this.code = code;
    this.resource = resource;
  }
}
