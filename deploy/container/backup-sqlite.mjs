#!/usr/bin/env node
// `palisade backup-sqlite <database> <destination>`: a consistent copy of the control plane's
// SQLite database while it runs, through SQLite's online backup API (better-sqlite3's
// `backup()`): the copy is one point in time even while the control plane writes. The fleet CA
// (pki/ beside the database) is two files to copy as they are. `palisade-cp backup FILE` does
// the same from the control plane's own command; this role stays for existing backup jobs.
// Exit 0 written, 1 failed (one line on stderr), 2 usage.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";

const [src, dest] = process.argv.slice(2);
if (!src || !dest || process.argv.length !== 4) {
  process.stderr.write("usage: palisade backup-sqlite <database> <destination>\n");
  process.exit(2);
}
if (existsSync(dest)) {
  process.stderr.write(`backup-sqlite: ${dest} exists; choose a new file\n`);
  process.exit(1);
}
try {
  const db = new Database(src, { readonly: true, fileMustExist: true });
  const { totalPages } = await db.backup(dest);
  db.close();
  process.stdout.write(
    `${JSON.stringify({ msg: "backup written", database: src, destination: dest, pages: totalPages })}\n`,
  );
} catch (err) {
  process.stderr.write(`backup-sqlite: ${err.message}\n`);
  process.exit(1);
}
