import { create } from "@bufbuild/protobuf";
import { type RedactionOptions, Redactor } from "@palisade/events";
import {
  type SecurityEventBatch,
  type SecurityEventBatchAck,
  SecurityEventBatchAckSchema,
  type SecurityEventRejection,
} from "@palisade/proto";
import type { Logger } from "../log.js";
import type { RetentionLimits, SecurityEventStore } from "../store/security-event-store.js";
import { EventHub, type LiveEvent } from "./event-hub.js";
import {
  type AcceptedEvent,
  acceptEvent,
  type EventRejectionCode,
  isRejection,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
} from "./event-intake.js";

/** Counters of the intake since the control plane started (for `/metrics`). */
export interface IntakeCounters {
  /** Events stored, by category. */
  readonly stored: Map<string, number>;
  readonly duplicates: number;
  /** Events refused, by code. */
  readonly rejected: Map<string, number>;
  /** Events whose document the re-check redacted further. */
  readonly redacted: number;
  /** Events the nodes reported dropping before they were sent (their buffer was full). */
  readonly droppedByNodes: number;
  /** Rows deleted by retention. */
  readonly pruned: number;
}

/** Defaults: 250,000 events, 14 days. */
export const DEFAULT_RETENTION: RetentionLimits = { maxEvents: 250_000, maxAgeMs: 14 * 24 * 3600_000 };

/**
 * The control plane's side of security events: a node's batch is checked event by event
 * ({@link acceptEvent}), stored in one transaction (a resent event is counted as a duplicate,
 * not stored again), published to the live subscribers, and acknowledged; retention runs on a
 * timer. Synchronous per batch, on the stream's callback: a node does not send its next batch
 * before the ACK of a full window, so one node cannot queue unbounded work.
 */
export class SecurityEventIntake {
  readonly hub = new EventHub();
  readonly #store: SecurityEventStore;
  readonly #log: Logger;
  readonly #retention: RetentionLimits;
  #redactor = new Redactor();
  #timer: NodeJS.Timeout | undefined;
  readonly #stored = new Map<string, number>();
  readonly #rejected = new Map<string, number>();
  #duplicates = 0;
  #redacted = 0;
  #dropped = 0;
  #pruned = 0;

  constructor(store: SecurityEventStore, log: Logger, retention: RetentionLimits = DEFAULT_RETENTION) {
    this.#store = store;
    this.#log = log;
    this.#retention = retention;
  }

  /** The store, for the API's reads. */
  get store(): SecurityEventStore {
    return this.#store;
  }

  /** Secret names added to the defaults of the re-check (the published telemetry config's). */
  setRedaction(opts: RedactionOptions): void {
    this.#redactor = new Redactor(opts);
  }

  /** Prunes now and then every `intervalMs` (default 30 s). */
  start(intervalMs = 30_000): void {
    const prune = () =>
      void this.prune().catch((err) => this.#log.warn({ err }, "security event retention failed; retried later"));
    prune();
    this.#timer = setInterval(prune, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Deletes what retention no longer keeps (in chunks until done). @returns rows deleted */
  async prune(nowMs = Date.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#store.prune(this.#retention, nowMs);
      total += n;
      if (n === 0) break;
    }
    this.#pruned += total;
    return total;
  }

  /**
   * Checks, stores and publishes one batch from a node.
   * @param node the sending node, as its stream proves it
   * @returns the ACK to send back
   */
  async ingest(
    node: { readonly id: string; readonly region: string },
    batch: SecurityEventBatch,
  ): Promise<SecurityEventBatchAck> {
    const rejected: Array<{ index: number; code: EventRejectionCode; field: string }> = [];
    if (batch.dropped > 0n) {
      this.#dropped += Number(batch.dropped);
      this.#log.warn({ node: node.id, dropped: Number(batch.dropped) }, "node dropped security events (buffer full)");
    }
    const bytes = batch.events.reduce((n, e) => n + e.ecsJson.length, 0);
    if (batch.events.length > MAX_BATCH_EVENTS || bytes > MAX_BATCH_BYTES) {
      for (let i = 0; i < batch.events.length; i++) rejected.push({ index: i, code: "BATCH_TOO_LARGE", field: "" });
      this.#count(this.#rejected, "BATCH_TOO_LARGE", batch.events.length);
      return this.#ack(batch.batchId, 0, 0, rejected);
    }
    const accepted: AcceptedEvent[] = [];
    batch.events.forEach((e, index) => {
      const r = acceptEvent(e.id, e.ecsJson, node, this.#redactor);
      if (isRejection(r)) {
        rejected.push({ index, ...r });
        this.#count(this.#rejected, r.code, 1);
      } else accepted.push(r);
    });
    if (rejected.length > 0)
      this.#log.warn(
        { node: node.id, rejected: rejected.length, first: rejected[0] },
        "security events refused (malformed): not stored",
      );
    const now = Date.now();
    const seqs = accepted.length > 0 ? await this.#store.insert(accepted, now) : [];
    const live: LiveEvent[] = [];
    let duplicates = 0;
    accepted.forEach((e, i) => {
      const seq = seqs[i]!;
      if (seq === 0) {
        duplicates++;
        return;
      }
      this.#count(this.#stored, e.category, 1);
      if (e.redacted) this.#redacted++;
      live.push({
        seq,
        atMs: e.atMs,
        receivedMs: now,
        nodeId: e.nodeId,
        category: e.category,
        action: e.action,
        doc: e.doc,
        region: e.region,
        route: e.route,
        clientIp: e.clientIp,
        consumer: e.consumer,
        ruleId: e.ruleId,
      });
    });
    this.#duplicates += duplicates;
    if (accepted.some((e) => e.redacted))
      this.#log.warn(
        { node: node.id },
        "a node sent a security event with unredacted secrets: redacted before storing",
      );
    this.hub.publish(live);
    return this.#ack(batch.batchId, live.length, duplicates, rejected);
  }

  /** Events stored now (from the seq range: retention deletes the oldest arrivals). */
  storedEstimate(): Promise<number> {
    return this.#store.storedRange();
  }

  counters(): IntakeCounters {
    return {
      stored: this.#stored,
      duplicates: this.#duplicates,
      rejected: this.#rejected,
      redacted: this.#redacted,
      droppedByNodes: this.#dropped,
      pruned: this.#pruned,
    };
  }

  #count(m: Map<string, number>, key: string, n: number): void {
    m.set(key, (m.get(key) ?? 0) + n);
  }

  #ack(
    batchId: bigint,
    stored: number,
    duplicates: number,
    rejected: ReadonlyArray<Pick<SecurityEventRejection, "index" | "code" | "field">>,
  ): SecurityEventBatchAck {
    return create(SecurityEventBatchAckSchema, { batchId, stored, duplicates, rejected: [...rejected] });
  }
}
