/**
 * An NDJSON file of ECS documents (one JSON object a line), rotated by size with the classic
 * logrotate naming (`events.ndjson`, `.1` … `.N`, oldest removed) by rotating-file-stream. A
 * batch counts as delivered once written to the file (the page cache; the spool's fsync policy
 * covers power loss). A write error (disk full, permissions) ends the stream; the runner
 * reopens it after backoff and writes the batch again.
 */
import { mkdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { ResolvedFile } from "@palisade/events";
import { createStream, type RotatingFileStream } from "rotating-file-stream";
import { classifyNetError, type Sink, SinkError } from "./sink.js";
import type { SpoolRecord } from "./spool-record.js";

const NL = Buffer.from("\n");

/** A rotating NDJSON file sink. */
export class FileSink implements Sink {
  readonly window = 1;
  readonly #cfg: ResolvedFile;
  #stream: RotatingFileStream | null = null;
  #error: SinkError | null = null;

  constructor(cfg: ResolvedFile) {
    this.#cfg = cfg;
  }

  async connect(): Promise<void> {
    try {
      await mkdir(dirname(this.#cfg.path), { recursive: true });
    } catch (e) {
      throw classifyNetError(e);
    }
    const s = createStream(basename(this.#cfg.path), {
      path: dirname(this.#cfg.path),
      size: `${this.#cfg.rotateBytes}B`,
      rotate: this.#cfg.maxFiles,
    });
    this.#error = null;
    s.on("error", (e) => {
      this.#error = classifyNetError(e);
    });
    await new Promise<void>((resolve, reject) => {
      s.once("open", () => resolve());
      s.once("error", (e) => reject(classifyNetError(e)));
    });
    this.#stream = s;
  }

  send(batch: readonly SpoolRecord[]): Promise<undefined> {
    const s = this.#stream;
    if (!s || this.#error) return Promise.reject(this.#error ?? new SinkError("closed", "file not open"));
    const parts: Buffer[] = [];
    for (const r of batch) parts.push(r.payload, NL);
    return new Promise<undefined>((resolve, reject) => {
      s.write(Buffer.concat(parts), (err) => {
        const e = err ?? this.#error;
        if (e) reject(classifyNetError(e));
        else resolve(undefined);
      });
    });
  }

  async close(): Promise<void> {
    const s = this.#stream;
    this.#stream = null;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once("error", () => resolve());
      s.end(() => resolve());
    });
  }
}
