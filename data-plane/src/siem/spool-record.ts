/**
 * One spool record on disk (little-endian):
 *
 *   u32 payload length | u32 CRC-32 of (seq, payload) | u64 seq | payload
 *
 * The checksum covers the sequence number too, so a record copied to the wrong place, or a
 * stale one behind a torn write, does not pass (Vector's disk buffer v2 checksums each record
 * with its id the same way: lib/vector-buffers/src/variants/disk_v2/mod.rs). CRC-32 is zlib's
 * (node:zlib crc32, native).
 */
import { crc32 } from "node:zlib";

/** Header bytes before the payload. */
export const RECORD_HEADER = 16;

/** Largest payload accepted, bytes: a longer length field is taken for corruption. */
export const MAX_PAYLOAD = 16 * 1024 * 1024;

/** A record read back: its sequence number and payload. */
export interface SpoolRecord {
  readonly seq: number;
  readonly payload: Buffer;
}

function checksum(seqBytes: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(seqBytes));
}

/** Encodes records with sequence numbers `firstSeq`, `firstSeq + 1`, … into one buffer. */
export function encodeRecords(firstSeq: number, payloads: readonly Buffer[]): Buffer {
  let size = 0;
  for (const p of payloads) size += RECORD_HEADER + p.length;
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    const seq = firstSeq + i;
    out.writeUInt32LE(p.length, off);
    out.writeBigUInt64LE(BigInt(seq), off + 8);
    out.writeUInt32LE(checksum(out.subarray(off + 8, off + 16), p), off + 4);
    p.copy(out, off + RECORD_HEADER);
    off += RECORD_HEADER + p.length;
  }
  return out;
}

/** The result of decoding at one offset of a buffer. */
export type Decoded =
  | { readonly kind: "record"; readonly record: SpoolRecord; readonly size: number }
  /** The buffer ends inside the record: read more (its total size is `need` when known). */
  | { readonly kind: "short"; readonly need: number | null }
  /** Not a valid record with that sequence number. */
  | { readonly kind: "corrupt" };

/**
 * Decodes the record at `off`, which must carry sequence number `expectSeq`.
 * The payload is a copy (the buffer may be reused).
 */
export function decodeRecord(buf: Buffer, off: number, expectSeq: number): Decoded {
  if (buf.length - off < RECORD_HEADER) return { kind: "short", need: null };
  const len = buf.readUInt32LE(off);
  if (len > MAX_PAYLOAD) return { kind: "corrupt" };
  if (buf.length - off < RECORD_HEADER + len) return { kind: "short", need: RECORD_HEADER + len };
  const seq = Number(buf.readBigUInt64LE(off + 8));
  if (seq !== expectSeq) return { kind: "corrupt" };
  const payload = buf.subarray(off + RECORD_HEADER, off + RECORD_HEADER + len);
  if (checksum(buf.subarray(off + 8, off + 16), payload) !== buf.readUInt32LE(off + 4)) return { kind: "corrupt" };
  return { kind: "record", record: { seq, payload: Buffer.from(payload) }, size: RECORD_HEADER + len };
}
