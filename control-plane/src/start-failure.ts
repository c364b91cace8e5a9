import { StoreUnavailableError } from "./store/sql-db.js";

/**
 * Turns a start-up error into one line an operator can act on: a port in use,
 * a database file that cannot be opened. Unknown errors keep their message.
 */
export function startFailure(err: unknown): string {
  if (err instanceof StoreUnavailableError) {
    if (err.reason === "SQLITE_NOTADB") return "the --db file is not a SQLite database";
    const cause = err.cause as { message?: string } | undefined;
    return `database unavailable (${err.reason}): ${firstLine(cause?.message ?? err.message)}`;
  }
  const e = err as { code?: string; message?: string; listener?: string };
  const msg = e.message ?? String(err);
  const where = e.listener ? `${e.listener} listener: ` : "";
  if (e.code === "EADDRINUSE" || /EADDRINUSE/.test(msg)) return `${where}address already in use (${firstLine(msg)})`;
  if (e.code === "EACCES" || /EACCES/.test(msg)) return `${where}permission denied (${firstLine(msg)})`;
  if (e.code === "SQLITE_NOTADB") return "the --db file is not a SQLite database";
  if (typeof e.code === "string" && e.code.startsWith("SQLITE_")) return `database: ${firstLine(msg)} (${e.code})`;
  return firstLine(msg);
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.slice(0, 300);
}
