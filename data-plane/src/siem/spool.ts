/**
 * A sink's bounded on-disk spool: append-only segment files of checksummed records
 * (spool-record.ts), read in order by the sink's runner, deleted whole once every record in
 * them is delivered. Designed after what the log shippers do and document:
 *
 * - segments, reader and writer, whole-file deletion after acknowledgement: Vector's disk
 *   buffer v2 (lib/vector-buffers/src/variants/disk_v2/mod.rs): "writers create and write to
 *   data files, while readers read from and delete data files"; "we only delete entire data
 *   files, rather than truncating them piecemeal";
 * - when full, the OLDEST data is dropped and counted (Fluent Bit's `storage.total_limit_size`:
 *   "the oldest chunk from its queue … will be discarded"), never the writer blocked (Vector's
 *   default `when_full: block` would stall the request path; Palisade must not);
 * - after a crash the reader resumes from the segments that exist, not from a saved position
 *   that may name a deleted file (the Vector crash loop of vectordotdev/vector#25570).
 *
 * Sequence numbers are global and contiguous, so every count is exact: records dropped for the
 * bound, or lost to a corrupt record, are a difference of sequence numbers.
 *
 * Bound: a segment is dropped when the segments after it still hold at least `maxEvents`
 * records (or when the spool is over `maxBytes`), so at least the newest `maxEvents` records
 * are kept and at most `maxEvents` + one segment are on disk.
 *
 * Durability (fsync policy): records are written with positional writes as soon as they are
 * appended, so a crash of the process loses nothing written; the active segment is
 * fdatasync'ed at most every `fsyncIntervalMs` (default 1 s; 0 = after each append) and when it
 * is closed, so a power loss or kernel crash loses at most that interval. The delivery cursor is
 * saved (write to a temporary file, rename) at most every 500 ms and on close: after a crash,
 * records delivered since the last save are sent again (at least once, never lost).
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeRecord, encodeRecords, RECORD_HEADER, type SpoolRecord } from "./spool-record.js";

/** Spool options. */
export interface SpoolOptions {
  /** Records kept at least, see the bound above. */
  readonly maxEvents: number;
  /** Bytes on disk at most (segment granularity). */
  readonly maxBytes: number;
  /** fdatasync at most this often, ms; 0 = after every append. */
  readonly fsyncIntervalMs: number;
  /** Records per segment. Default max(64, maxEvents / 64). */
  readonly segmentRecords?: number;
  /** Bytes per segment. Default 8 MiB, at most maxBytes / 4. */
  readonly segmentBytes?: number;
}

/** Counters of a spool. */
export interface SpoolStats {
  /** Records appended since open. */
  readonly appended: number;
  /** Records on disk not yet acknowledged (unread and in flight). */
  readonly pending: number;
  readonly bytes: number;
  /** Records dropped for the bound (oldest first). */
  readonly droppedOverflow: number;
  /** Records that could not be written (disk full, I/O error). */
  readonly droppedWriteFailed: number;
  /** Records lost to a corrupt or truncated segment. */
  readonly droppedCorrupt: number;
}

interface Segment {
  readonly firstSeq: number;
  /** One past the last record's seq. */
  endSeq: number;
  bytes: number;
  readonly path: string;
  /** The write handle of the active segment. */
  writer: FileHandle | null;
}

const SEGMENT = /^(\d{20})\.seg$/;
const CURSOR = "cursor.json";
const READ_CHUNK = 256 * 1024;

function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, "0")}.seg`;
}

/** A sink's spool. Open with {@link Spool.open}. */
export class Spool {
  readonly #dir: string;
  readonly #opts: Required<SpoolOptions>;
  readonly #segments: Segment[] = [];
  #tail = 0;
  #acked = 0;
  #readSeq = 0;
  /** The open segment being read, the offset and seq of its next record. */
  #reader: { seg: Segment; fh: FileHandle; offset: number; seq: number } | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  #forceRollover = false;
  #dirty = false;
  #syncTimer: NodeJS.Timeout | null = null;
  #cursorTimer: NodeJS.Timeout | null = null;
  #cursorSaved = -1;
  #closed = false;
  #appended = 0;
  #droppedOverflow = 0;
  #droppedWriteFailed = 0;
  #droppedCorrupt = 0;

  private constructor(dir: string, opts: SpoolOptions) {
    this.#dir = dir;
    const segmentRecords = opts.segmentRecords ?? Math.max(64, Math.floor(opts.maxEvents / 64));
    const segmentBytes =
      opts.segmentBytes ?? Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(opts.maxBytes / 4)));
    this.#opts = { ...opts, segmentRecords, segmentBytes };
  }

  /**
   * Opens (or creates) the spool in `dir`: finds its segments, cuts a torn last record, drops
   * segments the saved cursor says were delivered.
   * @throws the file system's error when `dir` cannot be created or read
   */
  static async open(dir: string, opts: SpoolOptions): Promise<Spool> {
    const s = new Spool(dir, opts);
    await s.#recover();
    return s;
  }

  async #recover(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const names = (await readdir(this.#dir)).filter((n) => SEGMENT.test(n)).sort();
    for (const n of names) {
      const firstSeq = Number(SEGMENT.exec(n)![1]);
      const path = join(this.#dir, n);
      this.#segments.push({ firstSeq, endSeq: firstSeq, bytes: (await stat(path)).size, path, writer: null });
    }
    for (let i = 0; i + 1 < this.#segments.length; i++) this.#segments[i]!.endSeq = this.#segments[i + 1]!.firstSeq;
    const last = this.#segments.at(-1);
    if (last) await this.#scanLast(last);
    let acked = 0;
    try {
      const c = JSON.parse(await readFile(join(this.#dir, CURSOR), "utf8")) as { acked?: unknown };
      if (typeof c.acked === "number" && Number.isSafeInteger(c.acked) && c.acked >= 0) acked = c.acked;
    } catch {
      // No cursor (new spool) or a damaged one: resend from the oldest segment.
    }
    this.#tail = last ? last.endSeq : acked;
    this.#acked = Math.min(Math.max(acked, this.#segments[0]?.firstSeq ?? acked), this.#tail);
    this.#readSeq = this.#acked;
    this.#cursorSaved = this.#acked;
    await this.#deleteDelivered();
  }

  /** Finds the last segment's end: the first record that is not whole and valid is cut off. */
  async #scanLast(seg: Segment): Promise<void> {
    const fh = await open(seg.path, "r+");
    try {
      const buf = await fh.readFile();
      let off = 0;
      let seq = seg.firstSeq;
      for (;;) {
        const d = decodeRecord(buf, off, seq);
        if (d.kind !== "record") break;
        off += d.size;
        seq++;
      }
      if (off < buf.length) await fh.truncate(off);
      seg.endSeq = seq;
      seg.bytes = off;
    } finally {
      await fh.close();
    }
  }

  /**
   * Appends records (one write per call) and enforces the bound. Never throws: records that
   * cannot be written are counted as dropped (`droppedWriteFailed`) and reported.
   * @returns how many records were written, and the error when some were not
   */
  append(payloads: readonly Buffer[]): Promise<{ written: number; error: Error | null }> {
    return this.#serial(() => this.#append(payloads));
  }

  /** Runs spool operations one at a time (an append may delete the segment a read is in). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #append(payloads: readonly Buffer[]): Promise<{ written: number; error: Error | null }> {
    if (payloads.length === 0) return { written: 0, error: null };
    if (this.#closed) {
      this.#droppedWriteFailed += payloads.length;
      return { written: 0, error: new Error("spool closed") };
    }
    const buf = encodeRecords(this.#tail, payloads);
    let seg: Segment;
    let pos = 0;
    try {
      seg = await this.#activeFor(payloads.length, buf.length);
      pos = seg.bytes;
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await seg.writer!.write(buf, done, buf.length - done, pos + done);
        done += bytesWritten;
      }
    } catch (e) {
      this.#droppedWriteFailed += payloads.length;
      const active = this.#segments.at(-1);
      if (active?.writer) {
        // Remove what a partial write left; if even that fails, the next append starts a new
        // segment and readers stop at this one's known end.
        try {
          await active.writer.truncate(active.bytes);
        } catch {
          this.#forceRollover = true;
        }
      }
      return { written: 0, error: e as Error };
    }
    seg.bytes += buf.length;
    this.#tail += payloads.length;
    seg.endSeq = this.#tail;
    this.#appended += payloads.length;
    this.#dirty = true;
    if (this.#opts.fsyncIntervalMs === 0) await this.#sync();
    else {
      this.#syncTimer ??= setTimeout(() => void this.#serial(() => this.#sync()), this.#opts.fsyncIntervalMs);
      this.#syncTimer.unref();
    }
    await this.#enforceBound();
    return { written: payloads.length, error: null };
  }

  /** The active segment, after a rollover when the records would not fit in it. */
  async #activeFor(records: number, bytes: number): Promise<Segment> {
    const cur = this.#segments.at(-1);
    if (
      cur?.writer &&
      !this.#forceRollover &&
      (cur.endSeq === cur.firstSeq ||
        (cur.endSeq - cur.firstSeq + records <= this.#opts.segmentRecords &&
          cur.bytes + bytes <= this.#opts.segmentBytes))
    ) {
      return cur;
    }
    if (cur?.writer) {
      const w = cur.writer;
      cur.writer = null;
      try {
        await w.datasync();
      } finally {
        await w.close();
      }
    }
    if (cur && cur.endSeq === cur.firstSeq) {
      if (!this.#forceRollover) {
        // An empty recovered segment: reuse it rather than leave an empty file behind.
        cur.writer = await open(cur.path, "r+");
        return cur;
      }
      // An empty segment that could not be cleaned after a failed write: its name is the new one's.
      await this.#removeSegment(cur);
    }
    this.#forceRollover = false;
    const seg: Segment = {
      firstSeq: this.#tail,
      endSeq: this.#tail,
      bytes: 0,
      path: join(this.#dir, segmentName(this.#tail)),
      writer: null,
    };
    seg.writer = await open(seg.path, "w");
    this.#segments.push(seg);
    return seg;
  }

  async #sync(): Promise<void> {
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      await this.#segments.at(-1)?.writer?.datasync();
    } catch {
      // Counted when the next write fails; a failed sync alone loses nothing in memory.
    }
  }

  /** Drops the oldest segments while the newer ones still hold the bound (see module comment). */
  async #enforceBound(): Promise<void> {
    let bytes = 0;
    for (const s of this.#segments) bytes += s.bytes;
    while (this.#segments.length > 1) {
      const s0 = this.#segments[0]!;
      const s1 = this.#segments[1]!;
      if (this.#tail - s1.firstSeq < this.#opts.maxEvents && bytes <= this.#opts.maxBytes) break;
      if (this.#readSeq < s0.endSeq) {
        this.#droppedOverflow += s0.endSeq - Math.max(this.#readSeq, s0.firstSeq);
        await this.#moveReader(s1.firstSeq);
      }
      bytes -= s0.bytes;
      await this.#removeSegment(s0);
    }
  }

  async #removeSegment(s: Segment): Promise<void> {
    const i = this.#segments.indexOf(s);
    if (i >= 0) this.#segments.splice(i, 1);
    if (this.#reader?.seg === s) {
      const fh = this.#reader.fh;
      this.#reader = null;
      await fh.close().catch(() => undefined);
    }
    await rm(s.path, { force: true });
  }

  async #moveReader(seq: number): Promise<void> {
    this.#readSeq = seq;
    await this.#closeReader();
  }

  async #closeReader(): Promise<void> {
    const r = this.#reader;
    this.#reader = null;
    await r?.fh.close().catch(() => undefined);
  }

  /**
   * The next unread records, in order: at most `maxRecords`, and no more once `maxBytes` of
   * payload are read (at least one record when any is unread). Reading does not acknowledge:
   * call {@link ack} once they are delivered.
   */
  read(maxRecords: number, maxBytes: number): Promise<SpoolRecord[]> {
    return this.#serial(() => this.#read(maxRecords, maxBytes));
  }

  async #read(maxRecords: number, maxBytes: number): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    let bytes = 0;
    while (
      out.length < maxRecords &&
      (out.length === 0 || bytes < maxBytes) &&
      this.#readSeq < this.#tail &&
      !this.#closed
    ) {
      const seg = this.#segments.find((s) => s.firstSeq <= this.#readSeq && this.#readSeq < s.endSeq);
      if (!seg) {
        // The records are gone (dropped for the bound, counted then): go on at the next segment.
        const next = this.#segments.find((s) => s.endSeq > this.#readSeq);
        await this.#moveReader(next ? next.firstSeq : this.#tail);
        continue;
      }
      if (this.#reader?.seg !== seg) {
        await this.#closeReader();
        this.#reader = { seg, fh: await open(seg.path, "r"), offset: 0, seq: seg.firstSeq };
      }
      const r = this.#reader;
      const left = seg.bytes - r.offset;
      if (left < RECORD_HEADER) {
        await this.#corrupt(seg);
        continue;
      }
      const chunk = Buffer.allocUnsafe(Math.min(left, READ_CHUNK));
      const { bytesRead } = await r.fh.read(chunk, 0, chunk.length, r.offset);
      let buf = chunk.subarray(0, bytesRead);
      let off = 0;
      let broken = false;
      while (out.length < maxRecords && (out.length === 0 || bytes < maxBytes) && r.seq < seg.endSeq) {
        let d = decodeRecord(buf, off, r.seq);
        if (d.kind === "short" && off === 0 && d.need !== null && d.need <= left) {
          // A record larger than one chunk: read it whole.
          buf = Buffer.allocUnsafe(d.need);
          const got = await r.fh.read(buf, 0, d.need, r.offset);
          buf = buf.subarray(0, got.bytesRead);
          d = decodeRecord(buf, 0, r.seq);
        }
        if (d.kind === "short") {
          // The rest is in the next chunk, unless the segment ends here.
          if (r.offset + off + (d.need ?? RECORD_HEADER) > seg.bytes) broken = true;
          break;
        }
        if (d.kind === "corrupt") {
          broken = true;
          break;
        }
        off += d.size;
        r.seq++;
        if (d.record.seq >= this.#readSeq) {
          out.push(d.record);
          bytes += d.record.payload.length;
          this.#readSeq = d.record.seq + 1;
        }
      }
      r.offset += off;
      if (broken) await this.#corrupt(seg);
    }
    return out;
  }

  /** Counts the unread rest of a segment as lost and moves past it (exact: sequence numbers). */
  async #corrupt(seg: Segment): Promise<void> {
    this.#droppedCorrupt += Math.max(0, seg.endSeq - this.#readSeq);
    if (seg.writer) this.#forceRollover = true;
    await this.#moveReader(seg.endSeq);
  }

  /**
   * Marks every record before `seqExclusive` delivered: fully delivered segments are deleted,
   * and the cursor is saved (at most every 500 ms).
   */
  ack(seqExclusive: number): Promise<void> {
    return this.#serial(async () => {
      if (seqExclusive <= this.#acked || this.#closed) return;
      this.#acked = Math.min(seqExclusive, this.#tail);
      await this.#deleteDelivered();
      if (this.#cursorTimer === null) {
        this.#cursorTimer = setTimeout(() => {
          this.#cursorTimer = null;
          void this.#serial(() => this.#saveCursor());
        }, 500);
        this.#cursorTimer.unref();
      }
    });
  }

  async #deleteDelivered(): Promise<void> {
    for (const s of [...this.#segments]) {
      if (s.writer || s.endSeq > this.#acked) break;
      await this.#removeSegment(s);
    }
  }

  async #saveCursor(): Promise<void> {
    if (this.#cursorSaved === this.#acked) return;
    const acked = this.#acked;
    const tmp = join(this.#dir, `${CURSOR}.tmp`);
    try {
      await writeFile(tmp, JSON.stringify({ acked }));
      await rename(tmp, join(this.#dir, CURSOR));
      this.#cursorSaved = acked;
    } catch {
      // A lost cursor means duplicates after a restart, never loss.
    }
  }

  /** Records on disk not yet acknowledged. */
  get pending(): number {
    return this.#tail - Math.max(this.#acked, this.#segments[0]?.firstSeq ?? this.#tail);
  }

  /** Records not yet read. */
  get unread(): number {
    return this.#tail - this.#readSeq;
  }

  /** Counters (see {@link SpoolStats}). */
  stats(): SpoolStats {
    let bytes = 0;
    for (const s of this.#segments) bytes += s.bytes;
    return {
      appended: this.#appended,
      pending: this.pending,
      bytes,
      droppedOverflow: this.#droppedOverflow,
      droppedWriteFailed: this.#droppedWriteFailed,
      droppedCorrupt: this.#droppedCorrupt,
    };
  }

  /** Syncs and closes the files and saves the cursor. Appends after close are counted as failed. */
  close(): Promise<void> {
    return this.#serial(() => this.#close());
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#cursorTimer) clearTimeout(this.#cursorTimer);
    this.#cursorTimer = null;
    await this.#sync();
    for (const s of this.#segments) {
      if (s.writer) {
        await s.writer.close().catch(() => undefined);
        s.writer = null;
      }
    }
    if (this.#reader) await this.#reader.fh.close().catch(() => undefined);
    this.#reader = null;
    await this.#saveCursor();
  }
}
