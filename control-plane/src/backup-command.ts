import { parseArgs } from "node:util";
import { redactDatabaseUrl } from "./options.js";
import { BackupError, backupSqlite, restoreSqlite } from "./store/backup.js";

/** Where the output of {@link backupCommand} goes (the process's streams; tests collect it). */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = [
  "Usage: palisade-cp backup FILE [--db PATH]     copy the SQLite database to FILE (online: the control plane may run)",
  "       palisade-cp restore FILE [--db PATH]    replace the SQLite database by FILE (stop the control plane first)",
  "--db defaults to PALISADE_DB, then ./palisade.db. With PostgreSQL (--database-url, PALISADE_DATABASE_URL)",
  "use its own tools: pg_dump --format=custom / pg_restore (control-plane/README.md, Backup and restore).",
].join("\n");

/**
 * `palisade-cp backup FILE` / `palisade-cp restore FILE`: SQLite through its online backup API;
 * PostgreSQL is refused with the pg_dump / pg_restore command to run instead (the URL's password
 * never printed).
 * @returns the exit code: 0 done, 1 failed (the reason printed), 2 usage
 */
export async function backupCommand(
  command: "backup" | "restore",
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandOutput,
): Promise<number> {
  let parsed: { values: { db?: string; "database-url"?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { db: { type: "string" }, "database-url": { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`palisade-cp ${command}: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    io.err(`palisade-cp ${command}: name one backup file\n${USAGE}`);
    return 2;
  }
  const file = parsed.positionals[0]!;
  const url = parsed.values["database-url"] ?? (env.PALISADE_DATABASE_URL || undefined);
  if (url !== undefined) {
    const shown = `'${redactDatabaseUrl(url)}'`;
    io.err(
      command === "backup"
        ? `palisade-cp backup: PostgreSQL is backed up with pg_dump (online, consistent):\n  pg_dump --format=custom --file ${file} ${shown}`
        : `palisade-cp restore: PostgreSQL is restored with pg_restore into an empty database, then the control planes start on it:\n  pg_restore --no-owner --dbname ${shown} ${file}`,
    );
    return 2;
  }
  const db = parsed.values.db ?? (env.PALISADE_DB || "./palisade.db");
  if (db === ":memory:") {
    io.err(`palisade-cp ${command}: an in-memory database has nothing to ${command}`);
    return 2;
  }
  try {
    if (command === "backup") {
      const r = await backupSqlite(db, file);
      io.out(`backed up ${db} to ${file} (${r.pages} pages, schema version ${r.schema})`);
    } else {
      const r = await restoreSqlite(file, db);
      io.out(`restored ${file} (schema version ${r.schema}) to ${db}; start the control plane to use it`);
    }
    return 0;
  } catch (err) {
    io.err(`palisade-cp ${command}: ${err instanceof BackupError ? err.message : (err as Error).message}`);
    return 1;
  }
}
