import { createHash } from "node:crypto";

/**
 * The snapshot file: what `GET /v1/config/versions/{n}/export` answers, what `palisade-dp
 * --config-file` reads, and what a node writes as its last-known-good config. A short text
 * header, then the payload (an encoded `palisade.config.v1.Snapshot`):
 *
 *     palisade-snapshot v1\n
 *     sha256 <64 hex digits of sha256(payload)>\n
 *     bytes <payload length, decimal>\n
 *     \n
 *     <payload>
 *
 * The checksum and the length make a partial or corrupted file detectable before anything in it
 * is trusted.
 */
export const SNAPSHOT_FILE_MAGIC = "palisade-snapshot v1";

/** Why a snapshot file was refused. */
export type SnapshotFileErrorCode = "FORMAT" | "TRUNCATED" | "CHECKSUM";

/** A snapshot file that must not be used: bad header, truncated payload or checksum mismatch. */
export class SnapshotFileError extends Error {
  override readonly name = "SnapshotFileError";
  readonly code: SnapshotFileErrorCode;
  constructor(code: SnapshotFileErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Wraps an encoded Snapshot in the file format. */
export function encodeSnapshotFile(payload: Uint8Array): Buffer {
  const sum = createHash("sha256").update(payload).digest("hex");
  return Buffer.concat([snapshotFileHeader(sum, payload.byteLength), payload]);
}

/**
 * The header for a payload of `length` bytes hashing to `sha256Hex`. Its length does not depend
 * on the values (the length is written with 12 digits), so a writer can stream the payload after
 * a placeholder and write the header last.
 */
export function snapshotFileHeader(sha256Hex: string, length: number): Buffer {
  return Buffer.from(
    `${SNAPSHOT_FILE_MAGIC}\nsha256 ${sha256Hex}\nbytes ${String(length).padStart(12, "0")}\n\n`,
    "ascii",
  );
}

const HEADER = /^palisade-snapshot v1\nsha256 ([0-9a-f]{64})\nbytes (\d{1,12})\n\n/;

/**
 * Checks and unwraps a snapshot file.
 * @returns the payload (an encoded Snapshot)
 * @throws SnapshotFileError FORMAT (not a snapshot file), TRUNCATED (shorter or longer than its
 *   header says) or CHECKSUM (the payload does not hash to the header's sha256)
 */
export function decodeSnapshotFile(file: Uint8Array): Uint8Array {
  const head = Buffer.from(file.buffer, file.byteOffset, Math.min(file.byteLength, 160)).toString("latin1");
  const m = HEADER.exec(head);
  if (!m) throw new SnapshotFileError("FORMAT", "not a palisade snapshot file (bad header)");
  const start = m[0].length;
  const length = Number(m[2]);
  if (file.byteLength - start !== length) {
    throw new SnapshotFileError(
      "TRUNCATED",
      `payload is ${file.byteLength - start} bytes, the header says ${length} (partial write?)`,
    );
  }
  const payload = file.subarray(start);
  const sum = createHash("sha256").update(payload).digest("hex");
  if (sum !== m[1]) throw new SnapshotFileError("CHECKSUM", "payload does not match its sha256 (corrupted file)");
  return payload;
}
