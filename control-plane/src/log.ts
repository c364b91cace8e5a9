import { pino } from "pino";

/** The control plane's logger: JSON lines on stdout. Secrets are redacted by path. */
export type Logger = pino.Logger;

/** Creates the process logger at `level`. */
export function createLogger(level: string): Logger {
  return pino({
    name: "palisade-cp",
    level,
    redact: { paths: ["req.headers.authorization", "*.token", "*.adminToken"], censor: "[redacted]" },
  });
}
