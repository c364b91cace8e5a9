import { create } from "@bufbuild/protobuf";
import { type SecurityEventBatch, type SecurityEventBatchAck, SecurityEventBatchSchema } from "@palisade/proto";

/** One security event as the control plane takes it: its id and its ECS document (`ecsJson(toEcs(…))`). */
export interface OutboundSecurityEvent {
  readonly id: string;
  readonly ecsJson: string;
}

/** Bounds of the outbox. */
export interface EventOutboxOptions {
  /** Events held (waiting and in flight); beyond, the oldest waiting are dropped. Default 10,000. */
  readonly capacity?: number;
  /** Events per batch, at most 500 (the control plane's limit). Default 500. */
  readonly batchMaxEvents?: number;
  /** Batches sent and not yet acknowledged. Default 4. */
  readonly window?: number;
}

/** Counters of the outbox since the node started. */
export interface EventOutboxStats {
  /** Events waiting to be sent. */
  readonly waiting: number;
  /** Events sent and not acknowledged. */
  readonly inFlight: number;
  /** Events the control plane stored (or had stored: duplicates of a resend). */
  readonly acknowledged: number;
  /** Events dropped because the outbox was full (the oldest first). */
  readonly dropped: number;
  /** Events refused: over 16 KiB here, or refused by the control plane (malformed). */
  readonly rejected: number;
}

/** The control plane's limits (control-plane security-events/event-intake.ts). */
const MAX_EVENT_BYTES = 16 * 1024;
const MAX_BATCH_EVENTS = 500;
const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * The node's bounded buffer of security events for the control plane, separate from the SIEM
 * spool: events wait here, leave in batches of up to 500 (and 1 MiB) with a fresh batch id, at
 * most `window` batches unacknowledged, and are forgotten when the control plane's ACK names
 * their batch. When the stream drops, the unacknowledged batches go back to the front, in order,
 * and are sent again after the reconnect (the control plane stores each node's event id once).
 * Full: the oldest waiting events are dropped and counted, and the next batch says how many
 * (`dropped`), so the control plane counts them too. Never blocks, never throws.
 */
export class EventOutbox {
  readonly #capacity: number;
  readonly #batchMax: number;
  readonly #window: number;
  #waiting: OutboundSecurityEvent[] = [];
  #head = 0;
  readonly #inFlight = new Map<bigint, OutboundSecurityEvent[]>();
  #inFlightCount = 0;
  #nextBatch = 1n;
  #droppedUnreported = 0n;
  #acknowledged = 0;
  #dropped = 0;
  #rejected = 0;

  constructor(opts: EventOutboxOptions = {}) {
    this.#capacity = Math.max(1, opts.capacity ?? 10_000);
    this.#batchMax = Math.min(MAX_BATCH_EVENTS, Math.max(1, opts.batchMaxEvents ?? MAX_BATCH_EVENTS));
    this.#window = Math.max(1, opts.window ?? 4);
  }

  /** Queues events (O(n)); drops the oldest waiting ones past the capacity. */
  add(events: readonly OutboundSecurityEvent[]): void {
    for (const e of events) {
      if (e.ecsJson.length > MAX_EVENT_BYTES) {
        this.#rejected++;
        continue;
      }
      this.#waiting.push(e);
    }
    let over = this.#waiting.length - this.#head + this.#inFlightCount - this.#capacity;
    while (over > 0 && this.#head < this.#waiting.length) {
      this.#head++;
      this.#dropped++;
      this.#droppedUnreported++;
      over--;
    }
    this.#compact();
  }

  /**
   * The next batch to send, or `undefined` when nothing waits or the window is full. The batch
   * counts as in flight until {@link acknowledge} or {@link requeue}.
   */
  next(): SecurityEventBatch | undefined {
    if (this.#inFlight.size >= this.#window || this.#head >= this.#waiting.length) return undefined;
    const events: OutboundSecurityEvent[] = [];
    let bytes = 0;
    while (this.#head < this.#waiting.length && events.length < this.#batchMax) {
      const e = this.#waiting[this.#head]!;
      if (events.length > 0 && bytes + e.ecsJson.length > MAX_BATCH_BYTES) break;
      bytes += e.ecsJson.length;
      events.push(e);
      this.#head++;
    }
    this.#compact();
    const batchId = this.#nextBatch++;
    this.#inFlight.set(batchId, events);
    this.#inFlightCount += events.length;
    const dropped = this.#droppedUnreported;
    this.#droppedUnreported = 0n;
    return create(SecurityEventBatchSchema, {
      batchId,
      dropped,
      events: events.map((e) => ({ id: e.id, ecsJson: e.ecsJson })),
    });
  }

  /** The control plane's ACK: forgets the batch. @returns whether it named a batch in flight */
  acknowledge(ack: SecurityEventBatchAck): boolean {
    const events = this.#inFlight.get(ack.batchId);
    if (!events) return false;
    this.#inFlight.delete(ack.batchId);
    this.#inFlightCount -= events.length;
    this.#acknowledged += ack.stored + ack.duplicates;
    this.#rejected += ack.rejected.length;
    return true;
  }

  /** The stream dropped: every unacknowledged batch goes back in front, oldest batch first. */
  requeue(): void {
    if (this.#inFlight.size === 0) return;
    const back = [...this.#inFlight.keys()].sort((a, b) => (a < b ? -1 : 1)).flatMap((id) => this.#inFlight.get(id)!);
    this.#inFlight.clear();
    this.#inFlightCount = 0;
    this.#waiting = [...back, ...this.#waiting.slice(this.#head)];
    this.#head = 0;
  }

  stats(): EventOutboxStats {
    return {
      waiting: this.#waiting.length - this.#head,
      inFlight: this.#inFlightCount,
      acknowledged: this.#acknowledged,
      dropped: this.#dropped,
      rejected: this.#rejected,
    };
  }

  /** Drops the consumed prefix once it is most of the array (amortised O(1) per event). */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }
}
