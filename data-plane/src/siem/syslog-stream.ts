/**
 * Syslog over a byte stream (TCP, RFC 6587; TLS, RFC 5425), shared by the TCP and TLS sinks.
 *
 * Framing: octet counting, `MSG-LEN SP SYSLOG-MSG` (RFC 6587 §3.4.1, the only framing RFC 5425
 * §4.3 allows over TLS), or `SYSLOG-MSG LF` (RFC 6587 §3.4.2, non-transparent framing: what
 * Wazuh's remoted reads; safe here because Palisade's messages never hold an LF).
 *
 * When is a batch delivered? Plain syslog over TCP has no acknowledgement (RFC 6587 §3;
 * rsyslog's own omfwd documents the same gap, and RELP exists to close it), and a write that
 * completed only reached the local kernel. A receiver that stops or crashes closes the
 * connection: the sink treats a batch as delivered only once it was written AND the connection
 * then stayed open for `confirmDelayMs` (default 250 ms); when the connection ends first, every
 * batch written since is sent again on the next connection. So a receiver restart duplicates up
 * to that window and loses nothing; a network partition that keeps the connection half-open can
 * still lose what sat in the TCP send buffer when it finally times out (keepalive probes after
 * 30 s find it).
 */
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { classifyNetError, type Sink, SinkError } from "./sink.js";
import type { SpoolRecord } from "./spool-record.js";

/** Options of a stream sink. */
export interface StreamSinkOptions {
  readonly framing: "octet-counting" | "lf";
  /** Opens a connected socket (TCP or TLS, handshake done); rejects with a SinkError. */
  readonly dial: () => Promise<Socket | TLSSocket>;
  /** Written batches count as delivered after the connection stayed open this long, ms. Default 250. */
  readonly confirmDelayMs?: number;
  /** A write not flushed to the kernel within this time ends the connection, ms. Default 30,000. */
  readonly stallTimeoutMs?: number;
  /** Batches in flight. Default 64. */
  readonly window?: number;
}

interface Pending {
  readonly resolve: (v: undefined) => void;
  readonly reject: (e: SinkError) => void;
  timer: NodeJS.Timeout | null;
}

/** Frames one batch into one buffer. */
export function frameBatch(batch: readonly SpoolRecord[], framing: "octet-counting" | "lf"): Buffer {
  const parts: Buffer[] = [];
  for (const r of batch) {
    if (framing === "octet-counting") parts.push(Buffer.from(`${r.payload.length} `, "latin1"), r.payload);
    else parts.push(r.payload, Buffer.from("\n", "latin1"));
  }
  return Buffer.concat(parts);
}

/** A syslog sink over a stream socket. */
export class SyslogStreamSink implements Sink {
  readonly window: number;
  readonly #opts: StreamSinkOptions;
  readonly #confirmMs: number;
  readonly #stallMs: number;
  #socket: Socket | TLSSocket | null = null;
  #pending: Pending[] = [];
  #dead: SinkError | null = null;

  constructor(opts: StreamSinkOptions) {
    this.#opts = opts;
    this.window = opts.window ?? 64;
    this.#confirmMs = opts.confirmDelayMs ?? 250;
    this.#stallMs = opts.stallTimeoutMs ?? 30_000;
  }

  async connect(): Promise<void> {
    const s = await this.#opts.dial();
    this.#socket = s;
    this.#dead = null;
    s.setKeepAlive(true, 30_000);
    s.setNoDelay(true);
    s.on("error", (e) => this.#fail(classifyNetError(e), s));
    // A syslog receiver never answers: data or an end from it means the connection is over.
    s.on("end", () => this.#fail(new SinkError("closed", "the receiver closed the connection"), s));
    s.on("close", () => this.#fail(new SinkError("closed", "connection closed"), s));
    s.on("data", () => undefined);
  }

  send(batch: readonly SpoolRecord[]): Promise<undefined> {
    const s = this.#socket;
    if (!s || this.#dead) return Promise.reject(this.#dead ?? new SinkError("closed", "not connected"));
    const buf = frameBatch(batch, this.#opts.framing);
    return new Promise<undefined>((resolve, reject) => {
      const p: Pending = { resolve, reject, timer: null };
      this.#pending.push(p);
      const stall = setTimeout(
        () => this.#fail(new SinkError("timeout", "the receiver stopped reading"), s),
        this.#stallMs,
      );
      s.write(buf, (err) => {
        clearTimeout(stall);
        if (err) {
          this.#fail(classifyNetError(err), s);
          return;
        }
        if (this.#dead || !this.#pending.includes(p)) return;
        p.timer = setTimeout(() => {
          const i = this.#pending.indexOf(p);
          if (i >= 0) this.#pending.splice(i, 1);
          resolve(undefined);
        }, this.#confirmMs);
      });
    });
  }

  #fail(e: SinkError, s: Socket | TLSSocket): void {
    if (s !== this.#socket || this.#dead) return;
    this.#dead = e;
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
    s.destroy();
  }

  async close(): Promise<void> {
    const s = this.#socket;
    if (!s) return;
    this.#fail(new SinkError("closed", "sink closed"), s);
    this.#socket = null;
    if (!s.closed) await new Promise<void>((r) => s.once("close", () => r()));
  }
}

/**
 * Waits for a socket's connect event (or TLS handshake), with a timeout.
 * @throws SinkError classified from the socket's error, or `timeout`
 */
export function whenConnected<S extends Socket>(
  s: S,
  event: "connect" | "secureConnect",
  timeoutMs: number,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const timer = setTimeout(() => {
      s.destroy();
      reject(new SinkError("timeout", `no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once(event, () => {
      clearTimeout(timer);
      s.removeListener("error", onError);
      resolve(s);
    });
    const onError = (e: Error) => {
      clearTimeout(timer);
      s.destroy();
      reject(classifyNetError(e));
    };
    s.once("error", onError);
  });
}
