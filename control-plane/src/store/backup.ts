import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "./migrations.js";
import { SqliteDb } from "./sqlite-db.js";

/** A backup or restore that cannot be done; the CLI prints the message and exits 1. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

/**
 * Copies the SQLite database at `dbPath` to `file` with SQLite's online backup API: the control
 * plane may keep running (readers and writers go on; the copy is one consistent state, WAL
 * included).
 * @returns pages copied and the schema version of the copy
 * @throws BackupError when `file` exists or `dbPath` is no database
 */
export async function backupSqlite(dbPath: string, file: string): Promise<{ pages: number; schema: number }> {
  if (existsSync(file)) throw new BackupError(`${file} exists: choose a new file`);
  if (!existsSync(dbPath)) throw new BackupError(`no database at ${dbPath}`);
  const db = new SqliteDb(dbPath);
  try {
    const pages = await db.backup(file);
    return { pages, schema: checkBackup(file) };
  } finally {
    await db.close();
  }
}

/**
 * Replaces the SQLite database at `dbPath` by the backup `file` (copied with the backup API,
 * so a WAL beside `dbPath` is rewritten consistently). Stop the control plane first: a running
 * one keeps its own view of the old file. The next start migrates an older backup.
 * @returns the backup's schema version
 * @throws BackupError when `file` is not a control-plane database, or is newer than this build
 */
export async function restoreSqlite(file: string, dbPath: string): Promise<{ schema: number }> {
  const schema = checkBackup(file);
  const src = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await src.backup(dbPath);
  } finally {
    src.close();
  }
  return { schema };
}

/**
 * The schema version of a backup file, after checking it is a control-plane database this build
 * can open (a SQLite file with the store's tables, at most {@link SCHEMA_VERSION}).
 * @throws BackupError naming what is wrong
 */
function checkBackup(file: string): number {
  if (!existsSync(file)) throw new BackupError(`no backup at ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${file} cannot be opened: ${(err as Error).message}`);
  }
  try {
    const version = db.pragma("user_version", { simple: true }) as number;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'resources'").all();
    if (version < 1 || tables.length === 0) throw new BackupError(`${file} is not a Palisade control-plane database`);
    if (version > SCHEMA_VERSION)
      throw new BackupError(`${file} has schema version ${version}, newer than this build's ${SCHEMA_VERSION}`);
    return version;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file} is not a SQLite database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}
