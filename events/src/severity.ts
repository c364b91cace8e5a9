/**
 * Syslog severities and facilities, the numbers of RFC 5424 §6.2.1 (tables 1 and 2). Palisade's
 * events carry a severity from this scale; ECS `event.severity` and `log.syslog.severity.code`
 * hold the same number, and the syslog PRI is `facility * 8 + severity`.
 */

/** Severity names in code order: index = RFC 5424 severity code (0 = emergency … 7 = debug). */
export const SEVERITY_NAMES = [
  "emergency",
  "alert",
  "critical",
  "error",
  "warning",
  "notice",
  "informational",
  "debug",
] as const;

/** One of {@link SEVERITY_NAMES}. */
export type SeverityName = (typeof SEVERITY_NAMES)[number];

/** A severity code, 0 (emergency) to 7 (debug). */
export type Severity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Severity codes by name. */
export const SEVERITY = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const satisfies Record<SeverityName, Severity>;

/**
 * Facility codes by name (RFC 5424 §6.2.1 table 1). `local0`–`local7` are the ones operators
 * assign to applications; Palisade's sinks default to `local0`.
 */
export const FACILITY = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

/** A facility name, a key of {@link FACILITY}. */
export type FacilityName = keyof typeof FACILITY;

/** True when `v` is a whole number 0–7. */
export function isSeverity(v: unknown): v is Severity {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 7;
}

/** True when `name` is a key of {@link FACILITY}. */
export function isFacilityName(name: unknown): name is FacilityName {
  return typeof name === "string" && Object.hasOwn(FACILITY, name);
}

/**
 * The syslog PRI value, `facility * 8 + severity` (RFC 5424 §6.2.1), 0–191.
 * @throws RangeError when either code is out of range
 */
export function syslogPri(facility: number, severity: number): number {
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new RangeError(`facility ${facility}`);
  if (!isSeverity(severity)) throw new RangeError(`severity ${severity}`);
  return facility * 8 + severity;
}
