import { create, toBinary } from "@bufbuild/protobuf";
import {
  type ConfigUpdate,
  SnapshotSchema,
  type StreamConfigRequest,
  StreamConfigRequestSchema,
} from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import { ConfigState } from "../config/config-state.js";
import type { AppliedConfig, AppliedSource } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import { BASE_MISMATCH, type UpdateApplier } from "../sync/config-applier.js";
import type { FromWorker, RefusalDetail, ToWorker } from "./messages.js";

/** The primary's handle on one worker. */
export interface WorkerLink {
  readonly id: number;
  readonly pid: number | undefined;
  send(msg: ToWorker): void;
}

/** What the primary knows of a worker's config. */
export interface WorkerView {
  readonly id: number;
  readonly pid: number | undefined;
  /** Version the worker serves, `null` before its first config. */
  readonly version: bigint | null;
}

/** The last committed config, to bring late workers up to date. */
interface Committed {
  readonly version: bigint;
  readonly hash: string;
  readonly bytes: Uint8Array;
}

type Reply =
  | { readonly kind: "ok" }
  | { readonly kind: "refused"; readonly error: RefusalDetail }
  | { readonly kind: "gone" };

interface Waiter {
  readonly seq: number;
  readonly pending: Map<number, (r: Reply) => void>;
}

/**
 * The config applier of a cluster primary. It holds no table: each update is encoded once and
 * sent to every worker in two phases —
 *
 *     prepare (all compile) → all prepared? commit (all swap) → ACK
 *                           → one refused?  abort (all drop) → NACK with its reason
 *
 * — so the node ACKs only once every worker serves the version, and a refusal leaves every
 * worker on the old one. A worker that dies during a round counts as neither (its replacement
 * starts from the committed config); a worker that answers nothing within `timeoutMs` refuses.
 * Workers that become ready later get the committed config (`apply`). Same-hash updates are
 * relabelled without recompiling, as in a single process.
 */
export class ClusterApplier implements UpdateApplier, AppliedSource {
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #workers = new Map<number, WorkerLink>();
  readonly #versions = new Map<number, bigint | null>();
  #applied: AppliedConfig | undefined;
  /** The config the workers serve (or are being given), as resources. */
  #state: ConfigState = ConfigState.empty();
  #committed: Committed | undefined;
  #seq = 0;
  #round: Waiter | null = null;
  /** Replies awaited outside rounds (late workers' `apply`), by seq. */
  readonly #catchUps = new Map<number, number>();

  /** @param timeoutMs how long a worker may take to answer a prepare or a commit, ms */
  constructor(log: Logger, timeoutMs = 60_000) {
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  get applied(): AppliedConfig | undefined {
    return this.#applied;
  }

  /** The workers and the version each serves. */
  workers(): WorkerView[] {
    return [...this.#workers.values()].map((w) => ({
      id: w.id,
      pid: w.pid,
      version: this.#versions.get(w.id) ?? null,
    }));
  }

  /** A worker is listening: it takes part in the next round, and gets the committed config now. */
  addWorker(link: WorkerLink): void {
    this.#workers.set(link.id, link);
    this.#versions.set(link.id, null);
    if (this.#round === null) this.#catchUp(link);
  }

  /** A worker exited: a round stops waiting for it. */
  removeWorker(id: number): void {
    this.#workers.delete(id);
    this.#versions.delete(id);
    this.#round?.pending.get(id)?.({ kind: "gone" });
  }

  /** A message from worker `id`. */
  onMessage(id: number, msg: FromWorker): void {
    if (msg.t === "committed") this.#versions.set(id, msg.version);
    if ((msg.t === "committed" || msg.t === "refused") && this.#catchUps.get(msg.seq) === id) {
      this.#catchUps.delete(msg.seq);
      if (msg.t === "refused") {
        this.#log.error(
          { worker: id, code: msg.error.code, reason: msg.error.message },
          "worker refused the committed config",
        );
      }
      return;
    }
    const round = this.#round;
    if (round === null || !("seq" in msg) || msg.seq !== round.seq) return;
    const resolve = round.pending.get(id);
    if (resolve === undefined) return;
    if (msg.t === "prepared" || msg.t === "committed") resolve({ kind: "ok" });
    else if (msg.t === "refused") resolve({ kind: "refused", error: msg.error });
  }

  async apply(update: ConfigUpdate): Promise<StreamConfigRequest> {
    const version = update.version;
    const held = this.#state;
    // The primary rebuilds the whole config from the update (full, or a delta over what it
    // holds, as ConfigApplier does) and hands workers the whole snapshot.
    let next: ConfigState;
    try {
      if (update.full) next = ConfigState.full(version, update.createdAtMs, update.resources);
      else {
        if (update.baseHash !== held.hash || this.#applied === undefined)
          return this.#nack(update, version, {
            code: BASE_MISMATCH,
            message: "the node does not hold the delta's base",
            resource: "snapshot",
          });
        next = held.applyDelta(version, update.createdAtMs, update.resources, update.removed);
      }
    } catch (err) {
      if (err instanceof CompileError) {
        const code =
          !update.full && err.code === "RESOURCE_INVALID" && err.message.includes("not held")
            ? BASE_MISMATCH
            : err.code;
        return this.#nack(update, version, { code, message: err.message, resource: err.resource });
      }
      throw err;
    }
    if (update.hash !== "" && next.hash !== update.hash) {
      return this.#nack(update, version, {
        code: update.full ? "SNAPSHOT_INVALID" : BASE_MISMATCH,
        message: "the resources do not hash to the update's content hash",
        resource: "snapshot",
      });
    }
    const snapshot = next.snapshot();
    const applied = this.#applied;
    if (applied !== undefined && snapshot.hash !== "" && snapshot.hash === applied.hash) {
      this.#state = next;
      if (applied.version !== version) {
        for (const w of this.#workers.values()) {
          w.send({ t: "relabel", version });
          if (this.#versions.get(w.id) === applied.version) this.#versions.set(w.id, version);
        }
        this.#applied = Object.freeze({ version, hash: applied.hash, appliedAt: new Date(), source: "control-plane" });
        if (this.#committed !== undefined) this.#committed = { ...this.#committed, version };
      }
      this.#log.info({ version: Number(version), hash: snapshot.hash }, "config unchanged (same hash)");
      return ack(version, update.nonce, snapshot.hash);
    }
    const started = performance.now();
    const bytes = toBinary(SnapshotSchema, snapshot);
    const seq = ++this.#seq;
    const all = [...this.#workers.values()];
    const prepare = await this.#phase(seq, all, { t: "prepare", seq, version, snapshot: bytes });
    const refusal = prepare.find((r): r is Extract<Reply, { kind: "refused" }> => r.kind === "refused");
    const ready = all.filter((_, i) => prepare[i]!.kind === "ok");
    const prepared = ready.length;
    if (refusal !== undefined || prepared === 0) {
      for (const w of this.#workers.values()) w.send({ t: "abort", seq });
      this.#round = null;
      this.#catchUpAll();
      const error = refusal?.error ?? {
        code: "INTERNAL",
        message: "no worker could compile the config",
        resource: "snapshot",
      };
      return this.#nack(update, version, error);
    }
    await this.#phase(seq, ready, { t: "commit", seq });
    this.#round = null;
    this.#committed = { version, hash: snapshot.hash, bytes };
    this.#state = next;
    this.#applied = Object.freeze({ version, hash: snapshot.hash, appliedAt: new Date(), source: "control-plane" });
    this.#log.info(
      {
        version: Number(version),
        hash: snapshot.hash,
        workers: prepared,
        apply_ms: Math.round((performance.now() - started) * 100) / 100,
        routes: snapshot.routes.length,
      },
      "config applied",
    );
    this.#catchUpAll();
    return ack(version, update.nonce, snapshot.hash);
  }

  /** Sends `msg` to `workers` and resolves with each one's reply (or timeout, or death), in order. */
  #phase(seq: number, workers: readonly WorkerLink[], msg: ToWorker): Promise<Reply[]> {
    const pending = new Map<number, (r: Reply) => void>();
    this.#round = { seq, pending };
    const replies = workers.map(
      (w) =>
        new Promise<Reply>((resolve) => {
          const timer = setTimeout(() => {
            pending.delete(w.id);
            resolve({
              kind: "refused",
              error: { code: "INTERNAL", message: `worker ${w.id} did not answer in time`, resource: "snapshot" },
            });
          }, this.#timeoutMs);
          pending.set(w.id, (r) => {
            clearTimeout(timer);
            pending.delete(w.id);
            resolve(r);
          });
          w.send(msg);
        }),
    );
    this.#log.debug({ seq, phase: msg.t, workers: replies.length }, "cluster config phase");
    return Promise.all(replies);
  }

  /** Brings every worker that does not serve the committed version up to date. */
  #catchUpAll(): void {
    for (const w of this.#workers.values()) this.#catchUp(w);
  }

  #catchUp(w: WorkerLink): void {
    const c = this.#committed;
    if (c === undefined || this.#versions.get(w.id) === c.version) return;
    const seq = ++this.#seq;
    this.#catchUps.set(seq, w.id);
    w.send({ t: "apply", seq, version: c.version, snapshot: c.bytes });
  }

  #nack(update: ConfigUpdate, rejected: bigint, err: RefusalDetail): StreamConfigRequest {
    const running = this.#applied?.version ?? 0n;
    this.#log.warn(
      {
        rejected_version: Number(rejected),
        running_version: Number(running),
        code: err.code,
        resource: err.resource,
        reason: err.message,
      },
      "config rejected (NACK)",
    );
    return create(StreamConfigRequestSchema, {
      kind: {
        case: "nack",
        value: {
          rejectedVersion: rejected,
          runningVersion: running,
          nonce: update.nonce,
          error: { code: err.code, message: err.message, resource: err.resource },
        },
      },
    });
  }
}

function ack(version: bigint, nonce: string, hash: string): StreamConfigRequest {
  return create(StreamConfigRequestSchema, { kind: { case: "ack", value: { version, nonce, hash } } });
}
