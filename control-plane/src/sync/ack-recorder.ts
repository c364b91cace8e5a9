import type { Store } from "../store/store.js";

/** Longest an ACK waits for its batch, ms. */
export const ACK_BATCH_DELAY_MS = 10;
/** ACKs written in one transaction at most. */
export const ACK_BATCH_MAX = 1000;

interface PendingAck {
  readonly nodeId: string;
  readonly version: number;
  readonly hash: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Records nodes' ACKs in the store in batches, one transaction per batch: a publish to 1,000
 * nodes brings 1,000 ACKs within milliseconds, and one commit each cost ~0.35 ms of the control
 * plane's only thread on SQLite (most of its CPU per node and publish, bench/sync/fleet.mjs) and
 * one WAL flush each on PostgreSQL. An ACK waits at most {@link ACK_BATCH_DELAY_MS} for its
 * batch. Each call resolves once its batch is committed (or rejects with the batch's error), so
 * a session that chains its writes keeps them in order.
 */
export class AckRecorder {
  readonly #store: Store;
  readonly #delayMs: number;
  readonly #max: number;
  #pending: PendingAck[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: Store, delayMs = ACK_BATCH_DELAY_MS, max = ACK_BATCH_MAX) {
    this.#store = store;
    this.#delayMs = delayMs;
    this.#max = max;
  }

  /**
   * Stores that `nodeId` applied `version` with content `hash` (Store.recordAck), in the next batch.
   * @returns resolves when stored; rejects when the batch's transaction failed (store unavailable)
   */
  recordAck(nodeId: string, version: number, hash: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ nodeId, version, hash, resolve, reject });
      if (this.#pending.length >= this.#max) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
    });
  }

  /** Writes what is pending now (after the batch being written, if any). @returns when written */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      try {
        await this.#store.transaction(async () => {
          for (const a of batch) await this.#store.recordAck(a.nodeId, a.version, a.hash);
        });
        for (const a of batch) a.resolve();
      } catch (err) {
        for (const a of batch) a.reject(err);
      }
    });
    return this.#flushing;
  }
}
