import type { Decision } from "@palisade/anomaly";
import type { AnomalyDecisionUpdate } from "@palisade/proto";
import type { Logger } from "../log.js";
import type { SyncClient } from "../sync/sync-client.js";
import { DecisionGuard } from "./decision-guard.js";
import { type DecisionChange, decisionChange } from "./decision-proto.js";
import { summaryMessage } from "./summary-proto.js";

/**
 * The stream side of a node's anomaly detection, the same for one process and for a cluster
 * primary: the detector summaries of the proxy processes go to the control plane as
 * `AnomalySummary` messages, and the decisions it pushes go to the proxy processes' guards
 * (`deliver`: the one guard of a single process, or every worker over IPC). It keeps the
 * decisions in force, so a worker that starts late gets the whole list ({@link current}).
 */
export class AnomalyUplink {
  readonly #log: Logger;
  readonly #deliver: (change: DecisionChange) => void;
  /** The decisions in force on this node (the primary's copy; workers hold their own). */
  readonly #held = new DecisionGuard();
  #sync: SyncClient | undefined;
  #summaries = 0;

  constructor(log: Logger, deliver: (change: DecisionChange) => void) {
    this.#log = log;
    this.#deliver = deliver;
  }

  /** The config stream, once it exists. */
  attach(sync: SyncClient): void {
    this.#sync = sync;
  }

  /** A proxy process's encoded summary: converted and sent (dropped while the stream is down). */
  summary(bytes: Uint8Array): void {
    const sync = this.#sync;
    if (!sync) return;
    try {
      if (sync.sendAnomalySummary(summaryMessage(bytes))) this.#summaries++;
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, "anomaly summary not sent: it does not decode");
    }
  }

  /** The control plane pushed decisions: held and delivered to the proxy processes. */
  decisions(update: AnomalyDecisionUpdate): void {
    const change = decisionChange(update);
    this.#held.apply(change.full, change.decisions, change.lifted);
    if (change.decisions.length > 0 || change.lifted.length > 0 || change.full)
      this.#log.info(
        { full: change.full, decisions: change.decisions.length, lifted: change.lifted.length, held: this.#held.size },
        "anomaly decisions received",
      );
    this.#deliver(change);
  }

  /** The decisions in force now, for a proxy process that starts late. */
  current(): Decision[] {
    return this.#held.list();
  }

  /** Summaries sent since the node started. */
  get summariesSent(): number {
    return this.#summaries;
  }
}
