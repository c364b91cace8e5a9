import { readFileSync } from "node:fs";
import type { parseArgs } from "node:util";
import { type AdminClient, CliError } from "./admin-client.js";
import { type CliIo, COLUMNS, table, yamlOf } from "./output.js";

/** Exit status of `palisadectl` (documented in control-plane/README.md). */
export const EXIT = {
  /** Done; `diff`: no difference. */
  OK: 0,
  /** The API refused (its code printed), the file is invalid, or the control plane was unreachable. */
  FAILED: 1,
  /** A usage error: unknown command or flag, missing argument, unreadable file. */
  USAGE: 2,
  /** `diff`: the file and the control plane differ. */
  DIFFERENT: 3,
} as const;

/** Output formats of `-o`. */
export type OutputFormat = "table" | "json" | "yaml";

/** The parsed flags of one run. */
export type CliOptions = ReturnType<
  typeof parseArgs<{ options: typeof CLI_FLAGS; allowPositionals: true; strict: true }>
>["values"];

/** Every flag `palisadectl` takes (one table, so commands read them typed). */
export const CLI_FLAGS = {
  url: { type: "string" },
  "token-file": { type: "string" },
  cacert: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  output: { type: "string", short: "o" },
  file: { type: "string", short: "f" },
  message: { type: "string", short: "m" },
  publish: { type: "boolean" },
  "no-deploy": { type: "boolean" },
  strategy: { type: "string" },
  "on-failure": { type: "string" },
  soak: { type: "string" },
  region: { type: "string", multiple: true },
  ttl: { type: "string" },
  throttle: { type: "string" },
  "node-id": { type: "string" },
  prune: { type: "boolean" },
  "no-prune": { type: "boolean" },
  "dry-run": { type: "boolean" },
  force: { type: "boolean" },
  role: { type: "string" },
  "route-prefix": { type: "string", multiple: true },
  permission: { type: "string", multiple: true },
  name: { type: "string" },
  limit: { type: "string" },
  description: { type: "string" },
  "upstream-url": { type: "string" },
  prefix: { type: "string" },
  host: { type: "string", multiple: true },
  "jwks-url": { type: "string" },
  issuer: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** What a command runs with: its flags, where it writes, the API (made on first use) and the output format. */
export interface CliContext {
  readonly o: CliOptions;
  readonly io: CliIo;
  readonly format: OutputFormat;
  /** The admin API client; a usage error when no token is set. Offline commands never call it. */
  api(): AdminClient;
  /** Prints a value in the chosen format; a list of `kind` as a table in table format. */
  print(value: unknown, kind?: string): void;
}

/** A usage error (exit 2). */
export const usage = (msg: string) => new CliError("USAGE", msg);

/** Prints `value` as `-o` asks: JSON, YAML, or (table format) a table of `kind` or YAML. */
export function printer(io: CliIo, format: OutputFormat): CliContext["print"] {
  return (value, kind) => {
    if (format === "json") io.out(JSON.stringify(value, null, 2));
    else if (format === "table" && kind && Array.isArray(value))
      io.out(table(value, COLUMNS[kind] ?? [{ head: "name", cell: (r) => r.name }]));
    else io.out(yamlOf(value));
  };
}

/**
 * Reads `-f FILE` (`-` is standard input).
 * @throws CliError USAGE when the flag is missing or the file cannot be read
 */
export function readInput(o: CliOptions, cmd: string): { text: string; name: string } {
  if (!o.file) throw usage(`${cmd} needs -f <file> (or -f - for standard input)`);
  const name = o.file === "-" ? "stdin" : o.file;
  try {
    return { text: readFileSync(o.file === "-" ? 0 : o.file, "utf8"), name };
  } catch (err) {
    throw usage(
      `cannot read ${o.file === "-" ? "standard input" : o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Reads a PEM file named by a flag. @throws CliError USAGE */
export function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw usage(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function nonNegativeInt(raw: string, name: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(raw))
    throw usage(`${name} must be a whole number of seconds, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function positiveInt(raw: string, name: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw usage(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return Number(raw);
}
