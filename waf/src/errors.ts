/**
 * The WAF package's error registry: one stable code per condition. Codes are part of the API
 * (the control plane answers a bad rule set with them); messages are for humans.
 */
export const WAF_ERRORS = {
  SECLANG_SYNTAX: "the directive is not valid SecLang",
  SECLANG_UNKNOWN_DIRECTIVE: "no such SecLang directive",
  SECLANG_BAD_ARGUMENT: "a directive argument is invalid",
  SECLANG_UNKNOWN_VARIABLE: "no such variable",
  SECLANG_UNKNOWN_OPERATOR: "no such operator",
  SECLANG_BAD_OPERATOR_ARGUMENT: "the operator's argument is invalid",
  SECLANG_UNKNOWN_ACTION: "no such action",
  SECLANG_BAD_ACTION: "an action's value is invalid",
  SECLANG_UNKNOWN_TRANSFORMATION: "no such transformation",
  SECLANG_REGEX_UNSUPPORTED: "the regular expression cannot run on the linear-time engine",
  SECLANG_DUPLICATE_ID: "two rules have the same id",
  SECLANG_MISSING_ID: "a rule has no id",
  SECLANG_BAD_CHAIN: "a chain is not closed by a rule",
  SECLANG_UNKNOWN_MARKER: "skipAfter names no SecMarker",
  SECLANG_DATA_FILE: "a data file cannot be read",
  WAF_OPTIONS: "a WAF option is invalid",
  WAF_ENGINE_ERROR: "the engine failed while evaluating a transaction",
} as const satisfies Record<string, string>;

/** A stable error code of the WAF package. */
export type WafErrorCode = keyof typeof WAF_ERRORS;

/** Where a directive came from: the file name as given to the parser and a 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/**
 * An error in a rule set or in the engine's options. Carries the stable `code`, the source
 * location (`file`, `line`) when it comes from a rule file, and the rule `ruleId` when known, so
 * the control plane can answer "rule 942100 at REQUEST-942…conf:123: …".
 */
export class WafError extends Error {
  readonly code: WafErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly ruleId: number | undefined;
  constructor(code: WafErrorCode, detail: string, where?: { loc?: SourceLocation; ruleId?: number | undefined }) {
    const loc = where?.loc;
    const prefix = [loc ? `${loc.file}:${loc.line}` : "", where?.ruleId !== undefined ? `rule ${where.ruleId}` : ""]
      .filter((s) => s !== "")
      .join(" ");
    super(`${prefix ? `${prefix}: ` : ""}${detail}`);
    this.name = "WafError";
    this.code = code;
    this.file = loc?.file;
    this.line = loc?.line;
    this.ruleId = where?.ruleId;
  }
}
