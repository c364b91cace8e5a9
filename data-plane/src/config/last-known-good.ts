import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { decodeSnapshotBytes, decodeSnapshotFile, SnapshotFileError, snapshotFileHeader } from "@palisade/proto";
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
    const fh = await open(tmp, "w", 0o600);
    try {
      await writePayload(fh, state);
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

const CHUNK = 256 * 1024;
/** One write buffer for the process: writes are serialized (the save chain), so it is never shared. */
let scratch: Buffer | undefined;

/**
 * Streams the encoded snapshot after a header placeholder, then writes the header (its length is
 * fixed). Framing and bodies are copied into one reused 256 KB buffer: writing a 10,000-route
 * config on every change allocates next to nothing, which keeps a node's memory flat.
 */
async function writePayload(fh: import("node:fs/promises").FileHandle, state: ConfigState): Promise<void> {
  scratch ??= Buffer.allocUnsafe(CHUNK);
  const buf = scratch;
  const sha = createHash("sha256");
  const headerLength = snapshotFileHeader("0".repeat(64), 0).byteLength;
  let pos = headerLength;
  let length = 0;
  let n = 0;
  const flush = async () => {
    if (n === 0) return;
    const chunk = buf.subarray(0, n);
    sha.update(chunk);
    await fh.write(chunk, 0, n, pos);
    pos += n;
    length += n;
    n = 0;
  };
  const varint = (v: number) => {
    while (v > 0x7f) {
      buf[n++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[n++] = v;
  };
  const h = state.header();
  const head = new BinaryWriter();
  if (h.version !== 0n) head.tag(1, WireType.Varint).uint64(h.version);
  if (h.hash !== "") head.tag(2, WireType.LengthDelimited).string(h.hash);
  const headBytes = head.finish();
  buf.set(headBytes, 0);
  n = headBytes.byteLength;
  for (const r of state.resources()) {
    const size = r.body.byteLength;
    if (n + 20 + size > CHUNK) await flush();
    varint(((r.field << 3) | WireType.LengthDelimited) >>> 0);
    varint(size);
    if (size > CHUNK - 20) {
      // A resource larger than the buffer goes out on its own.
      await flush();
      sha.update(r.body);
      await fh.write(r.body, 0, size, pos);
      pos += size;
      length += size;
      continue;
    }
    buf.set(r.body, n);
    n += size;
  }
  if (h.createdAtMs !== 0n) {
    const tail = new BinaryWriter().tag(7, WireType.Varint).int64(h.createdAtMs).finish();
    if (n + tail.byteLength > CHUNK) await flush();
    buf.set(tail, n);
    n += tail.byteLength;
  }
  await flush();
  await fh.write(snapshotFileHeader(sha.digest("hex"), length), 0, headerLength, 0);
}
