import { type DestinationStream, type Logger, pino } from "pino";

/** The data plane's logger (pino). */
export type { Logger };

/** Log levels accepted by `--log-level`, most to least verbose, plus `silent`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

// Defence in depth: nothing logs these fields on purpose, and if a caller ever does, pino
// replaces the value. Tokens, Authorization values and key material never reach a log.
const REDACT = [
  "authorization",
  "token",
  "jwks_json",
  "jwksJson",
  "key_pem",
  "keyPem",
  "headers.authorization",
  "*.authorization",
  "*.token",
  "*.jwks_json",
  "*.jwksJson",
  "*.key_pem",
  "*.keyPem",
];

/**
 * Builds the JSON logger: one JSON object per line on stdout (or on `destination`, for tests),
 * pino's numeric levels (`"level":30` is info).
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const opts = { level, redact: { paths: REDACT, censor: "[redacted]" } };
  return destination ? pino(opts, destination) : pino(opts, pino.destination({ dest: 1, sync: true }));
}

/** A logger that drops everything (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
