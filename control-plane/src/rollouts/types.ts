/**
 * Shapes of a staged rollout of a config version, as stored (one JSON row per rollout, see
 * store/rollout-store.ts) and as the engine reads them. Records are immutable snapshots: the
 * engine copies, changes and stores a new record on each transition.
 */

/**
 * Rollout states. `running` moves on by itself; `paused` waits for an operator (resume, promote,
 * abort); the rest are final: `succeeded` (every stage passed, stable := target), `rolled_back`
 * (a gate failed with `on_failure: rollback`), `aborted` (an operator aborted: rolled back),
 * `failed` (the rollout cannot go on: its target version is gone).
 */
export type RolloutState = "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";

/** The states in which a rollout is active (the fleet's one active rollout). */
export const ACTIVE_STATES: ReadonlySet<RolloutState> = new Set(["running", "paused"]);

/**
 * Stage states: `pending` (not reached), `running` (target assigned to its nodes, waiting for
 * their ACKs), `soaking` (every node ACKed; gates evaluated until the soak ends), `passed`,
 * `failed` (a gate failed or a node NACKed), `rolled_back` (passed, then undone by a rollback),
 * `skipped` (selected no node, or the rollout ended before it).
 */
export type StageState = "pending" | "running" | "soaking" | "passed" | "failed" | "rolled_back" | "skipped";

/** What to do when a gate fails: roll every touched node back, or pause for a human. */
export type OnFailure = "rollback" | "pause";

/**
 * Which nodes a stage selects. Every given criterion must hold: region among `regions`, every
 * label of `labels` equal, id among `node_ids`. Of the matching nodes, `percent` (0 < p ≤ 100)
 * and/or `count` keep the first ones in the rollout's stable order (sha256 of rollout id + node
 * id), so the same nodes are chosen on every evaluation and a node chosen by an earlier stage
 * with the same criteria stays chosen. An empty selector selects every node.
 */
export interface StageSelector {
  readonly regions?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly node_ids?: readonly string[];
  readonly percent?: number;
  readonly count?: number;
}

/**
 * Gate metrics: `error_rate_5xx` (5xx responses per request, 0..1), `p99_ms` (the worst stage
 * node's request-weighted p99 latency, ms), `security_event_rate:<type>` (security events of that
 * type per request, e.g. `security_event_rate:auth_token_invalid` for a jump in 401s).
 */
export type GateMetric = string;

/** A health gate of a stage. */
export interface GateSpec {
  readonly metric: GateMetric;
  /** Absolute maximum of the metric (in its unit: a fraction, ms, events per request). */
  readonly threshold: number;
  /** Requests the stage nodes must have served on the target for a verdict (default 1). */
  readonly min_requests: number;
  /**
   * Relative check against the baseline (nodes still on the previous version over the same
   * window, when they served `min_requests`): fail when value > baseline + max_increase.
   */
  readonly max_increase?: number;
}

/** One stage as asked for (strategy), with defaults filled in. */
export interface StageSpec {
  readonly name: string;
  readonly selector: StageSelector;
  /** Time after the last stage node ACKed during which gates are watched, seconds. */
  readonly soak_s: number;
  readonly gates: readonly GateSpec[];
  /** The stage pauses when its nodes have not all ACKed this long after it started, seconds. */
  readonly progress_deadline_s: number;
  /** How long an inconclusive verdict (too little traffic) is waited on after the soak, seconds, before pausing. */
  readonly inconclusive_wait_s: number;
}

/** Verdict of one gate: pending (not decided yet), pass, fail, inconclusive (too little traffic). */
export type Verdict = "pending" | "pass" | "fail" | "inconclusive";

/** One gate's latest evaluation, as the API shows it. */
export interface GateResult {
  readonly metric: GateMetric;
  readonly threshold: number;
  readonly max_increase?: number;
  /** The measured value over the stage nodes on the target version; null without traffic. */
  readonly value: number | null;
  /** The same metric over nodes still on the previous version; null when not meaningful. */
  readonly baseline: number | null;
  readonly verdict: Verdict;
  readonly min_requests: number;
  /** Requests the stage nodes served on the target in the window. */
  readonly requests: number;
}

/** A stage of a rollout with its progress. Times are ISO 8601. */
export interface StageRun extends StageSpec {
  readonly state: StageState;
  /** When the target was assigned to the stage's nodes. */
  readonly started_at: string | null;
  /** When delivery must be complete (progress deadline); moved on resume. */
  readonly deadline_at: string | null;
  /** When the last stage node ACKed: the soak starts here. */
  readonly acked_at: string | null;
  /** When the soak ends (moved by the paused time on resume). */
  readonly ends_at: string | null;
  /** Reports from this time on count for the gates. */
  readonly window_from: string | null;
  readonly finished_at: string | null;
  /** Ids of the nodes this stage selected (and nodes that joined into it). */
  readonly nodes: readonly string[];
  /** The gates' latest evaluation (empty before the soak). */
  readonly results: readonly GateResult[];
}

/** A node the rollout touched: the version it had before (rollback target) and the one it is assigned. */
export interface NodeAssignment {
  /** Index of the stage that touched it. */
  readonly stage: number;
  /** The version the node held when touched (what a rollback returns it to). */
  readonly previous_version: number;
  /** The version the node should hold now: the target, or `previous_version` after a rollback. */
  readonly version: number;
  readonly touched_at: string;
}

/** A rollout as stored. */
export interface RolloutRecord {
  readonly id: string;
  /** Creation order (paging, newest first). */
  readonly seq: number;
  /** The target version. */
  readonly version: number;
  /** The stable version when the rollout started (what untouched nodes hold: the baseline). */
  readonly previous_version: number;
  readonly state: RolloutState;
  readonly on_failure: OnFailure;
  /** Index of the stage in progress; null when finished. */
  readonly current_stage: number | null;
  readonly strategy: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly updated_at: string;
  readonly ended_at: string | null;
  /** Why the rollout is paused (operator, progress deadline, gate failed, inconclusive). */
  readonly pause_reason: string | null;
  readonly paused_at: string | null;
  /** When every rolled-back node ACKed its previous version again. */
  readonly rollback_completed_at: string | null;
  readonly stages: readonly StageRun[];
  /** Touched nodes by id. */
  readonly nodes: Readonly<Record<string, NodeAssignment>>;
}

/** One transition of a rollout: `who` is the admin token's label or `engine`. */
export interface RolloutEvent {
  readonly at: string;
  readonly type: string;
  readonly who: string;
  readonly message: string;
  readonly stage: string | null;
}

/** What the engine knows of a node from the inventory. */
export interface FleetNode {
  readonly id: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly connected: boolean;
  readonly applied_version: number;
  /** The version the node last refused (NACK), if any. */
  readonly nacked_version: number | null;
  /**
   * Who was to blame for that NACK: the config, or the node (it could not apply the version). A
   * stage fails either way (the node does not serve the target); the event says which.
   */
  readonly nacked_kind?: "config" | "node_fault" | null;
  /** The version the node is not sent for lack of features, if any. */
  readonly blocked_version: number | null;
}
