import { randomUUID } from "node:crypto";
import { DomainError } from "../errors.js";
import type { Logger } from "../log.js";
import type { RolloutStore } from "../store/rollout-store.js";
import { desiredVersion } from "./desired-versions.js";
import { ENGINE, type RolloutEventType, rolloutEvent } from "./events.js";
import { evaluateGate, type GateSample, stageVerdict } from "./gates.js";
import { joinerStage, type SelectableNode, selectNodes } from "./selection.js";
import {
  ACTIVE_STATES,
  type FleetNode,
  type OnFailure,
  type RolloutEvent,
  type RolloutRecord,
  type RolloutState,
  type StageRun,
  type StageSpec,
} from "./types.js";

/** A node report as the engine reads it: a gate sample with when it arrived and the version it was served on. */
export interface EngineReport extends Omit<GateSample, "node"> {
  /** When the control plane received it, Unix ms. */
  readonly at: number;
  readonly config_version: number;
}

/** What the engine reads and whom it tells. */
export interface EngineDeps {
  readonly store: RolloutStore;
  /** The inventory: every node that is not revoked. */
  readonly fleet: () => Promise<readonly FleetNode[]>;
  /**
   * Every node's reports received at or after `sinceMs`, by node id: the fleet registry's
   * history, or on a shared database every replica's (replica-store.ts).
   */
  readonly reports: (sinceMs: number) => Promise<ReadonlyMap<string, readonly EngineReport[]>>;
  /** Whether version `n` was published. */
  readonly versionExists: (n: number) => Promise<boolean>;
  readonly log: Logger;
  /** Clock, Unix ms (tests inject a fake one). Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Whether this control plane runs the periodic ticks now: the leader of the replicas on a
   * shared database (replicas/leadership.ts). Default: always (SQLite: one control plane).
   */
  readonly leading?: () => boolean;
}

/** A validated `POST /v1/rollouts`: the target, its stages (strategy applied), and the failure policy. */
export interface StartSpec {
  readonly version: number;
  /** `default`, `all-now` or `custom` (for the record). */
  readonly strategy: string;
  /** Builds the stages once the rollout id is known (the default strategy's canary depends on it). */
  readonly stages: (rolloutId: string, nodes: readonly SelectableNode[]) => StageSpec[];
  readonly on_failure: OnFailure;
}

/** Operator actions on a rollout. */
export type RolloutAction = "pause" | "resume" | "promote" | "abort";

/** Called with the nodes whose desired version changed (`"all"`: the stable version changed). */
export type AssignListener = (nodes: readonly string[] | "all") => void;

/** Default tick interval, ms. */
export const TICK_MS = 500;

/**
 * The rollout state machine (after Argo Rollouts / Flagger, for config versions). One rollout is
 * active per fleet. On each tick the active rollout's current stage moves on:
 *
 * ```
 *  pending ──start──► running ──all ACKed──► soaking ──soak over, gates pass──► passed ──► next stage
 *                       │ NACK                 │ NACK / gate fails                          (last: succeeded,
 *                       │ deadline → pause     │   → on_failure: rollback | pause             stable := target)
 *                       ▼                      │ inconclusive past the wait → pause
 *                     failed ◄─────────────────┘
 * ```
 * pause/resume freeze and thaw (an operator pause keeps the soak's remaining time, resuming an
 * engine pause restarts the phase with fresh evidence); promote passes the current stage now
 * (soak and gates skipped); abort rolls back. Rolling back assigns every touched node the version
 * it held when touched. Every transition is stored (record + event in one transaction) before
 * anyone is told, so a control-plane restart resumes from the stored record: soak and deadlines
 * are timestamps, a paused rollout stays paused.
 *
 * Replicas on one PostgreSQL (issue 19): only the leader ticks, but any replica takes operator
 * actions and admits its own joining nodes. Each transition runs in one transaction under the
 * rollout lock (rollout-store.ts `exclusive`) and starts by reading the stored record and stable
 * version, so transitions made anywhere apply one after another to the latest state, each once.
 * Each stored change is announced (NOTIFY palisade_rollout); the others re-read the record
 * ({@link refresh}) and re-offer the nodes whose desired version moved. Listeners are told
 * after the transition committed, never about a change that was rolled back.
 */
export class RolloutEngine {
  readonly #deps: EngineDeps;
  readonly #now: () => number;
  readonly #listeners = new Set<AssignListener>();
  #last: RolloutRecord | undefined;
  #stable: { version: number; setAt: string };
  #timer: NodeJS.Timeout | undefined;
  /** The transition in progress: transitions run one at a time (each reads the record the previous one left). */
  #busy: Promise<unknown> = Promise.resolve();
  #ticking = false;
  /** Nodes to tell once the transition in progress committed. */
  #pending: Array<readonly string[] | "all"> = [];

  /** An engine over a loaded state; use {@link RolloutEngine.open}. */
  constructor(
    deps: EngineDeps,
    state: { last: RolloutRecord | undefined; stable: { version: number; setAt: string } },
  ) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#last = state.last;
    this.#stable = state.stable;
  }

  /** Loads the latest rollout and the stable version from the store. */
  static async open(deps: EngineDeps): Promise<RolloutEngine> {
    return new RolloutEngine(deps, { last: await deps.store.last(), stable: await deps.store.stable() });
  }

  /**
   * Runs `fn` after the transition in progress (operator actions, ticks, joiners, deploys). On a
   * shared database `fn` runs in a transaction under the rollout lock, on the stored state read
   * anew (`lock: false`: a read of that state, no lock). Listeners hear of its changes once it
   * committed; a failed transition tells nobody and memory is read again from the database.
   * `lock: false` only reads: the stored state is read anew (both engines) without the lock.
   */
  #serial<T>(fn: () => Promise<T>, lock = true): Promise<T> {
    const store = this.#deps.store;
    const guarded = async (): Promise<T> => {
      try {
        const out = !lock
          ? await this.#reload().then(fn)
          : store.shared
            ? await store.exclusive(async () => {
                await this.#reload();
                return fn();
              })
            : await fn();
        const tell = this.#pending;
        this.#pending = [];
        for (const nodes of tell) this.#tellNow(nodes);
        return out;
      } catch (err) {
        this.#pending = [];
        if (store.shared) await this.#reload().catch(() => {});
        throw err;
      }
    };
    const run = this.#busy.then(guarded, guarded);
    this.#busy = run.catch(() => {});
    return run;
  }

  /**
   * Reads the stored record and stable version and makes them this engine's, telling the
   * listeners which nodes' desired version moved (every node when the stable version did).
   */
  async #reload(): Promise<void> {
    const last = await this.#deps.store.last();
    const stable = await this.#deps.store.stable();
    const before = { stable: this.#stable.version, stableSetAt: this.#stable.setAt, rollout: this.#last };
    this.#last = last;
    this.#stable = stable;
    // Committed by another control plane (or this one): told now, whatever becomes of the transition.
    if (stable.version !== before.stable || stable.setAt !== before.stableSetAt) return this.#tellNow("all");
    if (JSON.stringify(last) === JSON.stringify(before.rollout)) return;
    const after = { stable: stable.version, stableSetAt: stable.setAt, rollout: last };
    const ids = new Set([...Object.keys(before.rollout?.nodes ?? {}), ...Object.keys(last?.nodes ?? {})]);
    const moved = [...ids].filter((id) => desiredVersion(id, before) !== desiredVersion(id, after));
    if (moved.length > 0) this.#tellNow(moved);
  }

  /** Calls `fn` whenever nodes' desired versions change (the sync server re-offers to them). */
  onAssign(fn: AssignListener): void {
    this.#listeners.add(fn);
  }

  /**
   * Ticks every `tickMs` until `stop()`, while this control plane leads (`deps.leading`); the
   * timer does not keep the process alive.
   */
  start(tickMs = TICK_MS): void {
    this.stop();
    this.#timer = setInterval(() => {
      // A tick still waiting for the store is not stacked behind by the next one.
      if (this.#ticking || !(this.#deps.leading?.() ?? true)) return;
      this.#ticking = true;
      void this.tick().finally(() => {
        this.#ticking = false;
      });
    }, tickMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads the stored rollout and stable version again (another control plane on the database
   * changed them) and tells the listeners whose desired version moved.
   */
  refresh(): Promise<void> {
    return this.#serial(async () => {}, false);
  }

  /** The stable version (0: none) and when it was set. */
  stable(): { version: number; setAt: string } {
    return this.#stable;
  }

  /** The active rollout (running or paused), if any. */
  active(): RolloutRecord | undefined {
    return this.#last && ACTIVE_STATES.has(this.#last.state) ? this.#last : undefined;
  }

  /** A rollout by id. */
  async get(id: string): Promise<RolloutRecord | undefined> {
    return this.#last?.id === id ? this.#last : this.#deps.store.get(id);
  }

  /**
   * @param doing what the caller is refused (for the message): a second rollout, or a publish to all
   * @throws DomainError ROLLOUT_ACTIVE naming the active rollout, when there is one.
   */
  assertNoActive(doing: "rollout" | "publish" = "publish"): void {
    const a = this.active();
    if (a)
      throw new DomainError(
        "ROLLOUT_ACTIVE",
        doing === "rollout"
          ? `rollout ${a.id} (version ${a.version}) is ${a.state}: one rollout at a time; let it finish, or promote or abort it first`
          : `rollout ${a.id} (version ${a.version}) is ${a.state}: let it finish, or promote or abort it first, or publish with deploy "none" to create the version without sending it`,
      );
  }

  /**
   * Publish to all now: the stable version becomes `version` and every node outside a rollout
   * is offered it.
   * @throws DomainError ROLLOUT_ACTIVE while a rollout is running or paused
   */
  deployToAll(version: number): Promise<void> {
    return this.#serial(async () => {
      this.assertNoActive();
      await this.#setStable(version);
      this.#tell("all");
    });
  }

  /**
   * The version node `node` should hold (0: none). A node the active rollout has not touched
   * whose stage was reached (selection.ts `joinerStage`) is first assigned the target, recorded
   * like the stage's other nodes (a rollback returns it to `node.applied_version`).
   */
  desiredFor(node: SelectableNode & { readonly applied_version: number }): number | Promise<number> {
    const joins = (r: RolloutRecord | undefined) => r && !r.nodes[node.id] && joinerStage(r, node) !== undefined;
    if (!joins(this.active())) return this.desiredVersionOf(node.id);
    // Admitted after the transition in progress, which may have moved the rollout on meanwhile.
    return this.#serial(async () => {
      const r = this.active();
      if (r && joins(r)) {
        const i = joinerStage(r, node)!;
        const at = this.#iso();
        const s = r.stages[i]!;
        await this.#commit(
          {
            ...withStage(r, i, { nodes: [...s.nodes, node.id] }),
            nodes: {
              ...r.nodes,
              [node.id]: { stage: i, previous_version: node.applied_version, version: r.version, touched_at: at },
            },
          },
          [ev(at, "node_joined", ENGINE, `${node.id} (${node.region}) joined: assigned version ${r.version}`, s.name)],
        );
      }
      return this.desiredVersionOf(node.id);
    });
  }

  /** The version node `nodeId` should hold now (0: none), without admitting it to a stage (for reads). */
  desiredVersionOf(nodeId: string): number {
    return desiredVersion(nodeId, {
      stable: this.#stable.version,
      stableSetAt: this.#stable.setAt,
      rollout: this.#last,
    });
  }

  /**
   * Starts a rollout and its first stage.
   * @throws DomainError ROLLOUT_ACTIVE (one active rollout per fleet), VERSION_NOT_FOUND (field `version`),
   *   VALIDATION_FAILED (field `version`: already the stable version)
   */
  create(spec: StartSpec, who: string): Promise<RolloutRecord> {
    return this.#serial(() => this.#create(spec, who));
  }

  async #create(spec: StartSpec, who: string): Promise<RolloutRecord> {
    this.assertNoActive("rollout");
    if (!(await this.#deps.versionExists(spec.version)))
      throw new DomainError("VERSION_NOT_FOUND", `no config version ${spec.version}`, "version");
    if (spec.version === this.#stable.version)
      throw new DomainError(
        "VALIDATION_FAILED",
        `version ${spec.version} is already the stable version: every node outside a rollout runs it; publish a new version (deploy "none") to roll out`,
        "version",
      );
    const id = randomUUID();
    const at = this.#iso();
    const stages = spec.stages(id, await this.#connected());
    const r: RolloutRecord = {
      id,
      seq: await this.#deps.store.nextSeq(),
      version: spec.version,
      previous_version: this.#stable.version,
      state: "running",
      on_failure: spec.on_failure,
      current_stage: 0,
      strategy: spec.strategy,
      created_at: at,
      created_by: who,
      updated_at: at,
      ended_at: null,
      pause_reason: null,
      paused_at: null,
      rollback_completed_at: null,
      stages: stages.map((s) => ({
        ...s,
        state: "pending",
        started_at: null,
        deadline_at: null,
        acked_at: null,
        ends_at: null,
        window_from: null,
        finished_at: null,
        nodes: [],
        results: [],
      })),
      nodes: {},
    };
    const started = ev(
      at,
      "started",
      who,
      `rollout of version ${r.version} (from ${r.previous_version}), ${spec.strategy} strategy: ${stages.map((s) => s.name).join(" → ")}`,
    );
    await this.#deps.store.transaction(async () => {
      await this.#deps.store.insert(r);
      await this.#deps.store.addEvent(r.id, started);
    });
    this.#last = r;
    return await this.#advance(r);
  }

  /**
   * Applies an operator action (see the class comment).
   * @throws DomainError ROLLOUT_NOT_FOUND, ROLLOUT_STATE when the action does not apply to the state
   */
  act(id: string, action: RolloutAction, who: string): Promise<RolloutRecord> {
    return this.#serial(() => this.#act(id, action, who));
  }

  async #act(id: string, action: RolloutAction, who: string): Promise<RolloutRecord> {
    const r = await this.get(id);
    if (!r) throw new DomainError("ROLLOUT_NOT_FOUND", `no rollout ${JSON.stringify(id)}`);
    const allowed: Record<RolloutAction, readonly RolloutState[]> = {
      pause: ["running"],
      resume: ["paused"],
      promote: ["running", "paused"],
      abort: ["running", "paused"],
    };
    if (!allowed[action].includes(r.state))
      throw new DomainError("ROLLOUT_STATE", `cannot ${action} a rollout that is ${r.state}`);
    const at = this.#iso();
    if (action === "pause") return await this.#pause(r, who, "paused by an operator", "paused");
    if (action === "abort") return await this.#rollback(r, "aborted", who, `aborted by ${who}`);
    if (action === "resume") return await this.#advance(await this.#resume(r, who));
    // promote: the current stage passes now, soak and gates skipped.
    const i = r.current_stage!;
    const s = r.stages[i]!;
    const running: RolloutRecord = { ...r, state: "running", paused_at: null, pause_reason: null };
    return await this.#advance(
      await this.#passStage(
        running,
        i,
        ev(at, "promoted", who, `stage ${s.name} promoted: remaining soak and gates skipped`, s.name),
      ),
    );
  }

  /** Moves the active rollout on (and notes a finished rollback's completion). Never throws. */
  tick(): Promise<void> {
    return this.#serial(async () => {
      const r = this.#last;
      if (!r) return;
      if (r.state === "running") await this.#advance(r);
      else if ((r.state === "rolled_back" || r.state === "aborted") && r.rollback_completed_at === null)
        await this.#checkRollbackDone(r);
    }).catch((err) => this.#deps.log.error({ err }, "rollout tick failed"));
  }

  // --- transitions -----------------------------------------------------------------------------

  /** Steps the rollout until it stops changing (a stage that passes starts the next at once). */
  async #advance(r0: RolloutRecord): Promise<RolloutRecord> {
    let r = r0;
    for (let guard = 0; guard < 4 * r.stages.length + 4 && r.state === "running"; guard++) {
      const next = await this.#step(r);
      if (next === r) break;
      r = next;
    }
    return r;
  }

  async #step(r: RolloutRecord): Promise<RolloutRecord> {
    const at = this.#iso();
    const now = this.#now();
    if (!(await this.#deps.versionExists(r.version)))
      return await this.#rollback(r, "failed", ENGINE, `version ${r.version} is gone`);
    const i = r.current_stage!;
    const s = r.stages[i]!;
    if (s.state === "pending") return await this.#startStage(r, i);
    if (s.state !== "running" && s.state !== "soaking") return r;
    const fleet = new Map((await this.#deps.fleet()).map((n) => [n.id, n]));
    const refused = s.nodes.find((id) => {
      const n = fleet.get(id);
      return n !== undefined && (n.nacked_version === r.version || n.blocked_version === r.version);
    });
    if (refused !== undefined) {
      const n = fleet.get(refused)!;
      const why =
        n.nacked_version !== r.version
          ? "cannot take (lacks features)"
          : n.nacked_kind === "node_fault"
            ? "could not apply (NACK, node fault: resync or restart it)"
            : "refused (NACK)";
      return await this.#failStage(r, i, [], ev(at, "nack", ENGINE, `${refused} ${why} version ${r.version}`, s.name));
    }
    if (s.state === "running") {
      const waiting = s.nodes.filter((id) => fleet.get(id)?.applied_version !== r.nodes[id]?.version);
      if (waiting.length === 0) {
        const next = withStage(r, i, {
          state: "soaking",
          acked_at: at,
          ends_at: iso(now + s.soak_s * 1000),
          window_from: at,
        });
        return await this.#commit(next, [
          ev(
            at,
            "stage_soaking",
            ENGINE,
            `every node of the stage ACKed version ${r.version}; soak ${s.soak_s} s`,
            s.name,
          ),
        ]);
      }
      if (s.deadline_at !== null && at >= s.deadline_at)
        return await this.#pause(
          r,
          ENGINE,
          `stage ${s.name}: ${waiting.join(", ")} did not ACK within ${s.progress_deadline_s} s`,
          "deadline",
        );
      return r;
    }
    // soaking: gates over the reports since the window opened.
    const since = Date.parse(s.window_from ?? s.acked_at ?? at);
    const reports = await this.#deps.reports(since);
    const samples = (nodeId: string, version: number): GateSample[] =>
      (reports.get(nodeId) ?? []).filter((p) => p.config_version === version).map((p) => ({ ...p, node: nodeId }));
    const stageSamples = s.nodes.flatMap((id) => samples(id, r.version));
    const baseline = [...fleet.values()]
      .filter((n) => n.connected && !r.nodes[n.id])
      .flatMap((n) => samples(n.id, r.previous_version));
    const final = s.ends_at !== null && at >= s.ends_at;
    const results = s.gates.map((g) => evaluateGate(g, stageSamples, baseline, final));
    const verdict = stageVerdict(results);
    if (verdict === "fail") {
      const failed = results.filter((g) => g.verdict === "fail");
      const text = failed
        .map(
          (g) =>
            `${g.metric} ${fmt(g.value)} > ${fmt(g.threshold)}${g.baseline !== null ? ` (baseline ${fmt(g.baseline)})` : ""} over ${g.requests} requests`,
        )
        .join("; ");
      return await this.#failStage(r, i, results, ev(at, "gate_failed", ENGINE, `gate failed: ${text}`, s.name));
    }
    if (final && verdict === "pass") return await this.#passStage(withStage(r, i, { results }), i, null);
    if (final && verdict === "inconclusive" && now >= Date.parse(s.ends_at!) + s.inconclusive_wait_s * 1000)
      return await this.#pause(
        withStage(r, i, { results }),
        ENGINE,
        `stage ${s.name}: too little traffic for a verdict ${s.inconclusive_wait_s} s after the soak`,
        "inconclusive",
      );
    // Still deciding: keep the latest figures for the API (stored only when they changed).
    if (JSON.stringify(results) === JSON.stringify(s.results)) return r;
    await this.#save(withStage(r, i, { results }));
    return r;
  }

  async #startStage(r: RolloutRecord, i: number): Promise<RolloutRecord> {
    const at = this.#iso();
    const s = r.stages[i]!;
    const connected = await this.#connected();
    const ids = selectNodes(s.selector, connected, r.id);
    if (ids.length === 0) {
      const skipped = withStage(r, i, { state: "skipped", finished_at: at });
      return await this.#nextStage(skipped, i, [
        ev(at, "stage_skipped", ENGINE, "no connected node matches the stage", s.name),
      ]);
    }
    const byId = new Map(connected.map((n) => [n.id, n]));
    const nodes = { ...r.nodes };
    const fresh: string[] = [];
    for (const id of ids) {
      if (nodes[id]) continue;
      const n = byId.get(id)!;
      nodes[id] = { stage: i, previous_version: n.applied_version, version: r.version, touched_at: at };
      fresh.push(id);
    }
    const next: RolloutRecord = {
      ...withStage(r, i, {
        state: "running",
        started_at: at,
        deadline_at: iso(this.#now() + s.progress_deadline_s * 1000),
        nodes: ids,
      }),
      nodes,
    };
    const out = await this.#commit(next, [
      ev(
        at,
        "stage_started",
        ENGINE,
        `${ids.length} node${ids.length === 1 ? "" : "s"} (${fresh.length} newly assigned version ${r.version}): ${ids.join(", ")}`,
        s.name,
      ),
    ]);
    if (fresh.length > 0) this.#tell(fresh);
    return out;
  }

  /** Marks stage `i` passed (with `event`, or a plain stage_passed) and moves to the next stage or success. */
  async #passStage(r: RolloutRecord, i: number, event: RolloutEvent | null): Promise<RolloutRecord> {
    const at = this.#iso();
    const s = r.stages[i]!;
    const passed = withStage(r, i, { state: "passed", finished_at: at });
    return await this.#nextStage(passed, i, [
      event ?? ev(at, "stage_passed", ENGINE, "soak over, every gate passed", s.name),
    ]);
  }

  async #nextStage(r: RolloutRecord, i: number, events: RolloutEvent[]): Promise<RolloutRecord> {
    if (i + 1 < r.stages.length) return await this.#commit({ ...r, current_stage: i + 1 }, events);
    const at = this.#iso();
    await this.#setStable(r.version, at);
    const done = await this.#commit({ ...r, state: "succeeded", current_stage: null, ended_at: at }, [
      ...events,
      ev(at, "succeeded", ENGINE, `every stage passed: version ${r.version} is the stable version`),
    ]);
    this.#tell("all");
    return done;
  }

  async #failStage(
    r: RolloutRecord,
    i: number,
    results: StageRun["results"],
    event: RolloutEvent,
  ): Promise<RolloutRecord> {
    const at = this.#iso();
    const patch: Partial<StageRun> = { state: "failed", finished_at: at, ...(results.length ? { results } : {}) };
    const failed = withStage(r, i, patch);
    if (r.on_failure === "rollback") {
      await this.#commit(failed, [event]);
      return await this.#rollback(this.#last!, "rolled_back", ENGINE, `rolled back: ${event.message}`);
    }
    return await this.#commit({ ...failed, state: "paused", paused_at: at, pause_reason: event.message }, [
      event,
      ev(at, "paused", ENGINE, `paused for an operator (on_failure: pause): ${event.message}`, r.stages[i]!.name),
    ]);
  }

  /** Every touched node back to the version it held; the rollout ends in `state`. */
  async #rollback(r: RolloutRecord, state: RolloutState, who: string, message: string): Promise<RolloutRecord> {
    const at = this.#iso();
    const nodes = Object.fromEntries(
      Object.entries(r.nodes).map(([id, a]) => [id, { ...a, version: a.previous_version }]),
    );
    const stages = r.stages.map((s, j): StageRun => {
      if (s.state === "passed") return { ...s, state: "rolled_back" };
      if (s.state === "pending") return { ...s, state: "skipped" };
      if (j === r.current_stage && (s.state === "running" || s.state === "soaking"))
        return { ...s, state: "rolled_back", finished_at: at };
      return s;
    });
    const type: RolloutEventType = state === "aborted" ? "aborted" : state === "failed" ? "failed" : "rolled_back";
    const touched = Object.keys(nodes);
    const out = await this.#commit({ ...r, state, stages, nodes, current_stage: null, ended_at: at, paused_at: null }, [
      ev(at, type, who, `${message}; ${touched.length} touched node(s) return to their previous version`),
    ]);
    this.#tell(touched);
    await this.#checkRollbackDone(out);
    return this.#last!;
  }

  async #pause(r: RolloutRecord, who: string, reason: string, type: RolloutEventType): Promise<RolloutRecord> {
    const at = this.#iso();
    const stage = r.current_stage !== null ? r.stages[r.current_stage]!.name : null;
    return await this.#commit({ ...r, state: "paused", paused_at: at, pause_reason: reason }, [
      ev(at, type, who, reason, stage),
    ]);
  }

  /**
   * Thaws a paused rollout. After an operator pause the stage continues (deadline and soak end
   * move by the time paused); after an engine pause (deadline, gate failure, inconclusive) the
   * phase restarts: a fresh deadline, or a fresh soak whose gates count only new reports.
   */
  async #resume(r: RolloutRecord, who: string): Promise<RolloutRecord> {
    const at = this.#iso();
    const now = this.#now();
    const i = r.current_stage!;
    const s = r.stages[i]!;
    const byOperator = r.pause_reason === "paused by an operator";
    const pausedMs = now - Date.parse(r.paused_at ?? at);
    const shift = (t: string | null) => (t === null ? null : iso(Date.parse(t) + pausedMs));
    let patch: Partial<StageRun> = {};
    if (s.state === "running")
      patch = { deadline_at: byOperator ? shift(s.deadline_at) : iso(now + s.progress_deadline_s * 1000) };
    else if (s.state === "soaking" && byOperator) patch = { ends_at: shift(s.ends_at) };
    else if (s.state === "failed" && s.acked_at === null)
      patch = { state: "running", deadline_at: iso(now + s.progress_deadline_s * 1000), finished_at: null };
    else if (s.state === "soaking" || s.state === "failed")
      patch = {
        state: "soaking",
        window_from: at,
        ends_at: iso(now + s.soak_s * 1000),
        results: [],
        finished_at: null,
      };
    return await this.#commit({ ...withStage(r, i, patch), state: "running", paused_at: null, pause_reason: null }, [
      ev(at, "resumed", who, `resumed (was: ${r.pause_reason ?? "paused"})`, s.name),
    ]);
  }

  async #checkRollbackDone(r: RolloutRecord): Promise<void> {
    const fleet = new Map((await this.#deps.fleet()).map((n) => [n.id, n]));
    const open = Object.entries(r.nodes).filter(([id, a]) => {
      const n = fleet.get(id);
      return n?.connected && a.previous_version > 0 && n.applied_version !== a.version;
    });
    if (open.length > 0) return;
    const at = this.#iso();
    const ms = this.#now() - Date.parse(r.ended_at ?? at);
    await this.#commit({ ...r, rollback_completed_at: at }, [
      ev(
        at,
        "rollback_complete",
        ENGINE,
        `every touched node is back on its previous version (${ms} ms after the rollback)`,
      ),
    ]);
  }

  // --- helpers ---------------------------------------------------------------------------------

  async #connected(): Promise<FleetNode[]> {
    return (await this.#deps.fleet()).filter((n) => n.connected);
  }

  async #setStable(version: number, at = this.#iso()): Promise<void> {
    await this.#deps.store.setStable(version, at);
    this.#stable = { version, setAt: at };
  }

  /** Stores `r` (a new snapshot) with `events` in one transaction and makes it the current record. */
  async #commit(r: RolloutRecord, events: readonly RolloutEvent[]): Promise<RolloutRecord> {
    const next = { ...r, updated_at: this.#iso() };
    await this.#deps.store.transaction(async () => {
      await this.#deps.store.update(next);
      for (const e of events) await this.#deps.store.addEvent(r.id, e);
    });
    if (!this.#last || this.#last.id === r.id || this.#last.seq < r.seq) this.#last = next;
    for (const e of events) this.#deps.log.info({ rollout: r.id, ...e }, "rollout event");
    return next;
  }

  async #save(r: RolloutRecord): Promise<void> {
    await this.#deps.store.update(r);
    if (this.#last?.id === r.id) this.#last = r;
  }

  /** Tells the listeners once the transition in progress committed. */
  #tell(nodes: readonly string[] | "all"): void {
    this.#pending.push(nodes);
  }

  #tellNow(nodes: readonly string[] | "all"): void {
    for (const fn of this.#listeners) {
      try {
        fn(nodes);
      } catch (err) {
        this.#deps.log.error({ err }, "rollout assignment listener failed");
      }
    }
  }

  #iso(): string {
    return iso(this.#now());
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Short name of {@link rolloutEvent}: the engine writes many. */
const ev = rolloutEvent;

function fmt(v: number | null): string {
  if (v === null) return "n/a";
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

/** `r` with stage `i` patched (a new record; stages are copied, never changed in place). */
function withStage(r: RolloutRecord, i: number, patch: Partial<StageRun>): RolloutRecord {
  return { ...r, stages: r.stages.map((s, j) => (j === i ? { ...s, ...patch } : s)) };
}
