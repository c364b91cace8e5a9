/**
 * The one registry of error codes @palisade/anomaly throws (fastify `lib/errors.js` style). Every
 * error names the field at fault, so the control plane can refuse a bad threshold config at
 * publish, or a malformed summary from a node, with a stable code and the field (never a crash).
 */

/** Error codes, with the fixed message each carries. */
export const ANOMALY_ERRORS = {
  RING_OPTIONS_INVALID: "the ring options are invalid",
  THRESHOLD_INVALID: "the detector threshold config is invalid",
  ENFORCEMENT_INVALID: "the enforcement config is invalid",
  SUMMARY_MALFORMED: "the node summary is malformed",
  SUMMARY_TOO_LARGE: "the node summary exceeds its size limits",
  ENGINE_OPTIONS_INVALID: "the detector engine options are invalid",
} as const;

/** One of {@link ANOMALY_ERRORS}' keys. */
export type AnomalyErrorCode = keyof typeof ANOMALY_ERRORS;

/**
 * An error of this package: `code` is stable, `field` names the value at fault
 * (`routes.login.bruteForce.ratio`, `routes[3].hll`), `detail` says what is wrong with it.
 */
export class AnomalyError extends Error {
  readonly code: AnomalyErrorCode;
  readonly field: string;
  readonly detail: string;

  constructor(code: AnomalyErrorCode, field: string, detail: string) {
    super(`${ANOMALY_ERRORS[code]}: ${field}: ${detail}`);
    this.name = "AnomalyError";
    this.code = code;
    this.field = field;
    this.detail = detail;
  }

  /** The JSON body an API answers with: `{"error":{"code","message","field"}}`. */
  toJSON(): { error: { code: AnomalyErrorCode; message: string; field: string } } {
    return { error: { code: this.code, message: `${ANOMALY_ERRORS[this.code]}: ${this.detail}`, field: this.field } };
  }
}
