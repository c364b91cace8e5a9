/**
 * The control plane's error registry: one stable code per condition, with the
 * HTTP status the admin API answers it with (api/error-response.ts). Codes are part of the API contract (clients branch on them);
 * messages are for humans and may change. Internal causes are logged, never sent.
 */
export const API_ERRORS = {
  VALIDATION_FAILED: { status: 400, message: "the request body is invalid" },
  INVALID_JSON: { status: 400, message: "the request body is not valid JSON" },
  BAD_REQUEST: { status: 400, message: "bad request" },
  REFERENCE_NOT_FOUND: { status: 400, message: "a referenced resource does not exist" },
  VERSION_NOT_FOUND: { status: 400, message: "no such config version" },
  RULE_SET_INVALID: { status: 400, message: "the WAF rule set does not compile" },
  ADMIN_AUTH_AMBIGUOUS: { status: 400, message: "the request carries more than one Authorization header" },
  ADMIN_AUTH_REQUIRED: { status: 401, message: "a valid admin bearer token is required" },
  TOKEN_EXPIRED: { status: 401, message: "the token has expired" },
  TOKEN_REVOKED: { status: 401, message: "the token was revoked or rotated" },
  PERMISSION_DENIED: { status: 403, message: "the token's role lacks the permission" },
  SCOPE_DENIED: { status: 403, message: "the token is not bound to this region or route path" },
  NOT_FOUND: { status: 404, message: "no such resource" },
  ROLLOUT_NOT_FOUND: { status: 404, message: "no such rollout" },
  NAME_CONFLICT: { status: 409, message: "a resource with this name already exists" },
  RESOURCE_IN_USE: { status: 409, message: "the resource is referenced by another resource" },
  CREDENTIAL_CONFLICT: { status: 409, message: "another credential already has this identity" },
  NO_CONFIG: { status: 409, message: "nothing to publish" },
  ROLLOUT_ACTIVE: { status: 409, message: "a rollout is running or paused" },
  ROLLOUT_STATE: { status: 409, message: "the action does not apply to the rollout's state" },
  SYNC_INSECURE: { status: 409, message: "the sync port runs insecure: nodes have no identity" },
  NODE_NOT_CONNECTED: { status: 409, message: "the node has no open config stream" },
  NODE_BLOCKED: { status: 409, message: "the node lacks features its version uses" },
  ROLE_IN_USE: { status: 409, message: "tokens are bound to this role" },
  PROTECTION_REMOVED: {
    status: 409,
    message: "the change removes an authentication or WAF policy from a route; confirm with force",
  },
  PRECONDITION_FAILED: { status: 412, message: "the resource changed since it was read (If-Match)" },
  RULE_SET_READ_ONLY: { status: 409, message: "the bundled rule set ships with the control plane" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "the request body is too large" },
  URI_TOO_LONG: { status: 414, message: "a path segment is longer than 100 characters" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "send the body as application/json" },
  STREAM_LIMIT: { status: 503, message: "too many live event streams are open; retry later" },
  INTERNAL: { status: 500, message: "internal error" },
  STORE_UNAVAILABLE: {
    status: 503,
    message: "the control plane's database is unavailable (down, unreachable or read-only): nothing was changed; retry",
  },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code of the admin API. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * Where in a WAF rule set an error is (`RULE_SET_INVALID`): the engine's error code
 * (`SECLANG_REGEX_UNSUPPORTED`, …), the rule set file and 1-based line, the rule id when known.
 */
export interface RuleLocation {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly id?: number;
}

/**
 * The error the control plane's domain code throws (config checks, the store's callers, the
 * publisher, rollouts, RBAC, GitOps): a stable `code` from {@link API_ERRORS}, a message for
 * humans, the input `field` at fault as a dotted path (`targets.0.port`), and further `detail`.
 * It knows nothing of HTTP: the admin API's error handler (api/error-response.ts) answers it with
 * the registry's status and `{"error": {"code", "message", "field"?, …detail}}`, in one place.
 */
export class DomainError extends Error {
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  /**
   * Further members of the error body: `permission` of a 403, `plan` of a refused sync, `rule`
   * (a RuleLocation) of RULE_SET_INVALID.
   */
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: ApiErrorCode, message?: string, field?: string, detail?: Record<string, unknown>) {
    super(message ?? API_ERRORS[code].message);
    this.name = "DomainError";
    this.code = code;
    this.field = field;
    this.detail = detail;
  }
}

/**
 * The former name of {@link DomainError}, kept so branches written against it still build once
 * merged; new code throws `DomainError`. Remove once no code names it
 * (`grep -rw ApiError control-plane/src`).
 * @deprecated use DomainError
 */
export const ApiError = DomainError;
/** @deprecated use DomainError */
export type ApiError = DomainError;

/** Thrown at start-up for a bad flag or environment value; the CLI prints it and exits 2. */
export class OptionError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = "OptionError";
    this.option = option;
  }
}
