import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { decodeSnapshotBytes, decodeSnapshotFile, encodeSnapshotFile, SnapshotFileError } from "@palisade/proto";
import type { Logger } from "../log.js";
import type { ConfigPersister } from "../sync/config-applier.js";
import { CompileError } from "./compile-error.js";
import { ConfigState } from "./config-state.js";

/** File name of the last-known-good config in the state directory. */
export const LAST_KNOWN_GOOD_FILE = "config.snapshot";

/**
 * Reads a snapshot file (the export format of proto/src/snapshot-file.ts) into a config.
 * @throws SnapshotFileError when the header, length or checksum is wrong; CompileError
 *   SNAPSHOT_INVALID when the payload is not a Snapshot; the fs error when it cannot be read
 */
export function readSnapshotFile(path: string): ConfigState {
  const payload = decodeSnapshotFile(readFileSync(path));
  let decoded: ReturnType<typeof decodeSnapshotBytes>;
  try {
    decoded = decodeSnapshotBytes(payload);
  } catch {
    throw new CompileError("SNAPSHOT_INVALID", "the payload is not a palisade.config.v1.Snapshot", "snapshot");
  }
  return ConfigState.full(decoded.version, decoded.createdAtMs, decoded.resources);
}

/**
 * The node's last-known-good config on disk (after Kong's `config.json.gz` cache, with a
 * checksum). Every accepted config is written before the node ACKs it: to a temporary file,
 * fsync, rename over the old one, fsync the directory, so a crash leaves the old file or the new
 * one, never a mix. At boot with the control plane unreachable, the node serves it; a file whose
 * checksum or length does not match (partial write, disk corruption, tampering) is refused and
 * logged, never served.
 */
export class LastKnownGood implements ConfigPersister {
  readonly #path: string;
  readonly #log: Logger;
  #chain: Promise<void> = Promise.resolve();

  /** @param dir the state directory (created on first write, mode 0700) */
  constructor(dir: string, log: Logger) {
    this.#path = join(dir, LAST_KNOWN_GOOD_FILE);
    this.#log = log;
  }

  /** Path of the file. */
  get path(): string {
    return this.#path;
  }

  /**
   * Reads the file.
   * @returns the config, or `undefined` when there is none or it is corrupt (logged at warn)
   */
  load(): ConfigState | undefined {
    try {
      return readSnapshotFile(this.#path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      const reason = err instanceof SnapshotFileError || err instanceof CompileError ? err.message : String(err);
      this.#log.warn(
        { path: this.#path, reason, code: (err as { code?: string }).code },
        "last-known-good config ignored: the file is corrupt or partial",
      );
      return undefined;
    }
  }

  /** Writes `state` atomically (writes are serialized: the last one wins). */
  save(state: ConfigState): Promise<void> {
    const run = this.#chain.then(() => this.#write(state));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #write(state: ConfigState): Promise<void> {
    const dir = dirname(this.#path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.#path}.tmp-${process.pid}`;
    const bytes = encodeSnapshotFile(state.encode());
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, this.#path);
    // The rename is durable once the directory entry is.
    const d = openSync(dir, "r");
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  }
}
