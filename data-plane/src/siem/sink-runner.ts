/**
 * One sink's delivery loop: spool → sink, in order, at least once.
 *
 *   connect ──ok──► read a batch from the spool ─► send ─► resolved ─► ack in the spool
 *     ▲  │fail                                      │rejected
 *     │  ▼                                          ▼
 *     └─ wait (full-jitter backoff, Retry-After) ◄─ put every batch in flight back, in order
 *
 * Up to the sink's window of batches (and `maxInFlightEvents` events) are in flight; they are
 * acknowledged oldest first. A batch read from the spool stays in memory until the sink
 * confirms it, so a failure resends it (duplicates are possible, losses are not); records never
 * read when the spool drops its oldest segment are the only ones lost, and they are counted.
 * The loop never throws: every failure is a counter, a state and a condition for the shipper.
 */
import type { ResolvedSinkConfig } from "@palisade/events";
import { Backoff } from "../sync/backoff.js";
import { classifyNetError, type SendResult, type Sink, type SinkError } from "./sink.js";
import type { Spool } from "./spool.js";
import type { SpoolRecord } from "./spool-record.js";

/** A sink's state: `starting` until its first connection attempt ends. */
export type SinkState = "starting" | "up" | "down";

/** Why events were dropped. */
export type DropReason = "spool_overflow" | "spool_write_failed" | "corrupt" | "rejected" | "too_large";

/** Every {@link DropReason}, for metrics labels. */
export const DROP_REASONS: readonly DropReason[] = [
  "spool_overflow",
  "spool_write_failed",
  "corrupt",
  "rejected",
  "too_large",
];

/** Counters and state of one sink (what `/metrics` will read). */
export interface SinkStats {
  readonly name: string;
  readonly kind: ResolvedSinkConfig["transport"]["case"];
  readonly state: SinkState;
  /** The last failure: kind and code (`refused ECONNREFUSED`), never data. */
  readonly lastError: string | null;
  /** Events the receiver accepted. */
  readonly delivered: number;
  /** Events written to the spool. */
  readonly spooled: number;
  /** Events in the spool not yet delivered. */
  readonly pending: number;
  readonly spoolBytes: number;
  /** Failed connection attempts and sends. */
  readonly failures: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/** A change the shipper reports as a SIEM condition event. */
export type SinkCondition =
  | { readonly kind: "down"; readonly error: SinkError }
  | { readonly kind: "up" }
  | { readonly kind: "dropped"; readonly reason: DropReason; readonly count: number };

/** Options of a {@link SinkRunner}. */
export interface SinkRunnerOptions {
  readonly config: ResolvedSinkConfig;
  readonly sink: Sink;
  readonly spool: Spool;
  readonly onCondition: (c: SinkCondition) => void;
  /** Events in flight (sent, not confirmed) at most. Default 20,000. */
  readonly maxInFlightEvents?: number;
}

interface InFlight {
  readonly batch: readonly SpoolRecord[];
  readonly done: Promise<{ ok: true; result: SendResult | undefined } | { ok: false; error: SinkError }>;
}

/** Bytes of payload read per batch at most. */
const BATCH_BYTES = 4 * 1024 * 1024;

/** Runs one sink. */
export class SinkRunner {
  readonly name: string;
  readonly #cfg: ResolvedSinkConfig;
  readonly #sink: Sink;
  readonly #spool: Spool;
  readonly #onCondition: (c: SinkCondition) => void;
  readonly #maxInFlight: number;
  readonly #backoff: Backoff;
  #state: SinkState = "starting";
  #lastError: string | null = null;
  #inflight: InFlight[] = [];
  #inflightEvents = 0;
  #retry: (readonly SpoolRecord[])[] = [];
  #delivered = 0;
  #failures = 0;
  #refused: Record<"rejected" | "too_large", number> = { rejected: 0, too_large: 0 };
  #stopping = false;
  #wake: (() => void) | null = null;
  /** Waiting out a backoff: new events do not cut it short (only stopping does). */
  #backingOff = false;
  #loopDone: Promise<void> | null = null;

  constructor(opts: SinkRunnerOptions) {
    this.#cfg = opts.config;
    this.name = opts.config.name;
    this.#sink = opts.sink;
    this.#spool = opts.spool;
    this.#onCondition = opts.onCondition;
    this.#maxInFlight = opts.maxInFlightEvents ?? 20_000;
    this.#backoff = new Backoff({ baseMs: opts.config.retry.initialMs, capMs: opts.config.retry.maxMs });
  }

  /** Starts the loop (once). */
  start(): void {
    this.#loopDone ??= this.#loop();
  }

  /** Writes encoded events to the spool and wakes the loop; never throws (failures are counted). */
  async append(payloads: readonly Buffer[]): Promise<void> {
    const r = await this.#spool.append(payloads);
    if (r.written > 0) this.notify();
  }

  /**
   * New records are in the spool: ends the wait for events. A backoff is never cut short by
   * them (a sink that is down under load would otherwise reconnect once per event batch).
   */
  notify(): void {
    if (this.#backingOff && !this.#stopping) return;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      if (this.#state !== "up") {
        try {
          await this.#sink.connect();
        } catch (e) {
          this.#down(classifyNetError(e));
          await this.#sleepBackoff(null);
          continue;
        }
        const wasDown = this.#state === "down";
        this.#state = "up";
        if (wasDown) this.#onCondition({ kind: "up" });
      }
      while (this.#inflight.length < this.#sink.window && this.#inflightEvents < this.#maxInFlight && !this.#stopping) {
        const batch = this.#retry.shift() ?? (await this.#spool.read(this.#cfg.batchMaxEvents, BATCH_BYTES));
        if (batch.length === 0) break;
        const done = this.#sink.send(batch).then(
          (result) => ({ ok: true as const, result }),
          (e: unknown) => ({ ok: false as const, error: classifyNetError(e) }),
        );
        this.#inflight.push({ batch, done });
        this.#inflightEvents += batch.length;
      }
      const head = this.#inflight[0];
      if (!head) {
        if (!this.#stopping) await this.#sleep(1000);
        continue;
      }
      const res = await head.done;
      if (res.ok) {
        this.#inflight.shift();
        this.#inflightEvents -= head.batch.length;
        const refused = res.result?.refused ?? 0;
        if (res.result && refused > 0) this.#refused[res.result.reason] += refused;
        this.#delivered += head.batch.length - refused;
        this.#backoff.reset();
        await this.#spool.ack(head.batch.at(-1)!.seq + 1);
        continue;
      }
      // Every later send fails too (the sink is broken): wait for them, then resend all, in order.
      await Promise.all(this.#inflight.map((f) => f.done));
      this.#retry = [...this.#inflight.map((f) => f.batch), ...this.#retry];
      this.#inflight = [];
      this.#inflightEvents = 0;
      await this.#sink.close().catch(() => undefined);
      this.#down(res.error);
      await this.#sleepBackoff(res.error.retryAfterMs);
    }
  }

  #down(e: SinkError): void {
    if (this.#stopping) return;
    this.#failures++;
    this.#lastError = `${e.kind} ${e.message}`.trim();
    if (this.#state !== "down") {
      this.#state = "down";
      this.#onCondition({ kind: "down", error: e });
    }
  }

  async #sleepBackoff(retryAfterMs: number | null): Promise<void> {
    if (this.#stopping) return;
    this.#backingOff = true;
    try {
      await this.#sleep(Math.max(this.#backoff.next(), retryAfterMs ?? 0));
    } finally {
      this.#backingOff = false;
    }
  }

  /** Counters and state. */
  stats(): SinkStats {
    const s = this.#spool.stats();
    return {
      name: this.name,
      kind: this.#cfg.transport.case,
      state: this.#state,
      lastError: this.#lastError,
      delivered: this.#delivered,
      spooled: s.appended,
      pending: s.pending,
      spoolBytes: s.bytes,
      failures: this.#failures,
      dropped: {
        spool_overflow: s.droppedOverflow,
        spool_write_failed: s.droppedWriteFailed,
        corrupt: s.droppedCorrupt,
        rejected: this.#refused.rejected,
        too_large: this.#refused.too_large,
      },
    };
  }

  /**
   * Stops: lets batches in flight finish for up to `graceMs`, then closes the sink and the spool
   * (what was not confirmed stays in the spool for the next start).
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.notify();
    const loop = this.#loopDone ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loop, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.#sink.close().catch(() => undefined);
    await loop;
    await this.#spool.close();
  }
}
