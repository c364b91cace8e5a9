import { toBinary } from "@bufbuild/protobuf";
import { type ConfigUpdate, type Snapshot, SnapshotSchema, type StreamConfigRequest } from "@palisade/proto";
import { COMPILE_ERROR_CODES, CompileError, type CompileErrorCode } from "../config/compile-error.js";
import { ConfigState } from "../config/config-state.js";
import type { AppliedConfig, AppliedSource, ConfigSource } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import {
  ack,
  BASE_MISMATCH,
  type ConfigPersister,
  configOf,
  logNack,
  nackOf,
  persistConfig,
  type UpdateApplier,
} from "../sync/config-applier.js";
import type { SyncStats } from "../telemetry/sync-stats.js";
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

/** Options of a {@link ClusterApplier}. */
export interface ClusterApplierOptions {
  /** How long a worker may take to answer a prepare or a commit, ms. Default 60,000. */
  readonly timeoutMs?: number;
  /** Where committed configs are written before the ACK (the last-known-good file). */
  readonly persist?: ConfigPersister;
  /** Counters of the config stream (`/metrics`). */
  readonly stats?: SyncStats;
  /** Called with each committed snapshot and its version (the security-event pipeline reads its telemetry resource). */
  readonly onCommitted?: (snapshot: Snapshot, version: bigint) => void;
}

/** The outcome of one two-phase round. */
type Installed = { readonly ok: true } | { readonly ok: false; readonly error: RefusalDetail };

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
 * relabelled without recompiling, as in a single process. As ConfigApplier does, every committed
 * (or relabelled) config is written to the last-known-good file before the ACK, and a config
 * from that file or `--config-file` is handed to the workers with {@link adopt}.
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
  readonly #persist: ConfigPersister | undefined;
  readonly #stats: SyncStats | undefined;
  readonly #onCommitted: ((snapshot: Snapshot, version: bigint) => void) | undefined;
  /** {@link whenCurrent} callers, by worker id. */
  readonly #current = new Map<number, Array<(serving: boolean) => void>>();

  constructor(log: Logger, options: ClusterApplierOptions = {}) {
    this.#log = log;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#persist = options.persist;
    this.#stats = options.stats;
    this.#onCommitted = options.onCommitted;
  }

  /** The config the workers serve (or are being given), as resources (empty before the first). */
  get state(): ConfigState {
    return this.#state;
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

  /** A worker has started: it takes part in the next round, and gets the committed config now. */
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
    for (const resolve of this.#current.get(id) ?? []) resolve(false);
    this.#current.delete(id);
  }

  /**
   * Resolves `true` once worker `id` (added with {@link addWorker}) serves the committed config —
   * at once when there is none yet — or `false` if it is removed first. A worker that refuses the
   * committed config stays unresolved (the refusal is logged) and is never given listeners.
   */
  whenCurrent(id: number): Promise<boolean> {
    return new Promise((resolve) => {
      const list = this.#current.get(id) ?? [];
      list.push(resolve);
      this.#current.set(id, list);
      this.#settle(id);
    });
  }

  /** Resolves the {@link whenCurrent} waiters of `id` if it now serves the committed config. */
  #settle(id: number): void {
    const waiting = this.#current.get(id);
    if (waiting === undefined || !this.#workers.has(id)) return;
    const c = this.#committed;
    if (c !== undefined && this.#versions.get(id) !== c.version) return;
    this.#current.delete(id);
    for (const resolve of waiting) resolve(true);
  }

  #settleAll(): void {
    for (const id of [...this.#current.keys()]) this.#settle(id);
  }

  /** A message from worker `id`. */
  onMessage(id: number, msg: FromWorker): void {
    if (msg.t === "committed") {
      this.#versions.set(id, msg.version);
      this.#settle(id);
    }
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

  /**
   * Serves a config that did not come over the stream (the last-known-good file at boot, or
   * `--config-file`): one two-phase round over the workers ready now; later workers catch up.
   * @throws CompileError with the first worker's refusal (then nothing is served)
   */
  async adopt(state: ConfigState, source: Exclude<ConfigSource, "control-plane">): Promise<void> {
    const result = await this.#install(state, state.version, source);
    if (result.ok) return;
    const { code, message, resource } = result.error;
    const known = (COMPILE_ERROR_CODES as readonly string[]).includes(code);
    throw new CompileError(known ? (code as CompileErrorCode) : "INTERNAL", message, resource);
  }

  async apply(update: ConfigUpdate): Promise<StreamConfigRequest> {
    const version = update.version;
    const held = this.#state;
    this.#stats?.received(update.full);
    // The primary rebuilds the whole config from the update (full, or a delta over what it
    // holds, as ConfigApplier does) and hands workers the whole snapshot.
    const next = configOf(update, held, this.#applied !== undefined, this.#log);
    if (!(next instanceof ConfigState)) return this.#nack(update, next);
    if (update.hash !== "" && next.hash !== update.hash) {
      return this.#nack(update, {
        code: update.full ? "SNAPSHOT_INVALID" : BASE_MISMATCH,
        message: "the resources do not hash to the update's content hash",
        resource: "snapshot",
      });
    }
    const applied = this.#applied;
    // A resync is compiled by every worker even when the content is unchanged.
    if (applied !== undefined && next.hash !== "" && next.hash === applied.hash && !update.resync) {
      this.#state = next;
      if (applied.version !== version) {
        for (const w of this.#workers.values()) {
          w.send({ t: "relabel", version });
          if (this.#versions.get(w.id) === applied.version) this.#versions.set(w.id, version);
        }
        this.#applied = Object.freeze({ ...applied, version, appliedAt: new Date(), source: "control-plane" });
        if (this.#committed !== undefined) this.#committed = { ...this.#committed, version };
        this.#settleAll();
      }
      await this.#save(next);
      this.#log.info({ version: Number(version), hash: next.hash }, "config unchanged (same hash)");
      return ack(version, update.nonce, next.hash);
    }
    const result = await this.#install(next, version, "control-plane");
    if (!result.ok) return this.#nack(update, result.error);
    await this.#save(next);
    return ack(version, update.nonce, next.hash);
  }

  /**
   * One two-phase round: every ready worker compiles `next` (prepare), then all swap (commit),
   * or all drop it (abort) on the first refusal. On success `next` is the committed config.
   */
  async #install(next: ConfigState, version: bigint, source: ConfigSource): Promise<Installed> {
    const snapshot = next.snapshot();
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
      this.#settleAll();
      const error = refusal?.error ?? {
        code: "INTERNAL",
        message: "no worker could compile the config",
        resource: "snapshot",
      };
      return { ok: false, error };
    }
    await this.#phase(seq, ready, { t: "commit", seq });
    this.#round = null;
    this.#committed = { version, hash: snapshot.hash, bytes };
    this.#state = next;
    this.#onCommitted?.(snapshot, version);
    const ruleSets = snapshot.ruleSets.map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.contentHash,
      bytes: r.files.reduce((n, f) => n + f.content.length, 0),
    }));
    this.#applied = Object.freeze({ version, hash: snapshot.hash, appliedAt: new Date(), source, ruleSets });
    this.#log.info(
      {
        version: Number(version),
        hash: snapshot.hash,
        source,
        workers: prepared,
        apply_ms: Math.round((performance.now() - started) * 100) / 100,
        routes: snapshot.routes.length,
      },
      "config applied",
    );
    this.#catchUpAll();
    this.#settleAll();
    return { ok: true };
  }

  /** Writes the last-known-good file; a failure is logged, the node goes on (as ConfigApplier). */
  #save(state: ConfigState): Promise<void> {
    return persistConfig(this.#persist, state, this.#log);
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

  #nack(update: ConfigUpdate, err: RefusalDetail): StreamConfigRequest {
    if (this.#stats) this.#stats.nacked++;
    const running = this.#applied?.version ?? 0n;
    logNack(this.#log, update.version, running, err);
    return nackOf(update, running, err);
  }
}
