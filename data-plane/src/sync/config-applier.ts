import { create } from "@bufbuild/protobuf";
import {
  ConfigErrorKind,
  type ConfigUpdate,
  type Snapshot,
  type StreamConfigRequest,
  StreamConfigRequestSchema,
} from "@palisade/proto";
import { CompileError, errorKindOf } from "../config/compile-error.js";
import { ConfigState } from "../config/config-state.js";
import type { RuntimeTable } from "../config/runtime-table.js";
import type { ConfigSource, TableHolder } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import type { SyncStats } from "../telemetry/sync-stats.js";

/**
 * Compiles a snapshot (the node's `compile` with its options bound), reusing `previous` where
 * unchanged; `changedRoutes` are the route ids a delta touched (compile's hint).
 */
export type CompileFn = (
  snapshot: Snapshot,
  previous: RuntimeTable | undefined,
  changedRoutes?: ReadonlySet<string>,
) => RuntimeTable;

/** Where accepted configs are written (the last-known-good file); optional (the scale bench has none). */
export interface ConfigPersister {
  /** Writes the config durably; rejects when it cannot (the node logs it and goes on). */
  save(state: ConfigState): Promise<void>;
}

/**
 * Writes `state` with `persist` (when there is one) before the ACK; a failure is logged and the
 * node goes on serving and ACKing: the file is a fallback, not part of the apply.
 */
export async function persistConfig(
  persist: ConfigPersister | undefined,
  state: ConfigState,
  log: Logger,
): Promise<void> {
  if (!persist) return;
  try {
    await persist.save(state);
  } catch (err) {
    log.error({ err, version: Number(state.version) }, "cannot write the last-known-good config");
  }
}

/** NACK code asking the control plane for a full update (the node lacks the delta's base). */
export const BASE_MISMATCH = "BASE_MISMATCH";

/** Applies one config update and gives the answer (ACK or NACK) to send; never throws. */
export interface UpdateApplier {
  apply(update: ConfigUpdate): StreamConfigRequest | Promise<StreamConfigRequest>;
}

/** Why an update is refused, as the NACK carries it. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly resource: string;
}

/**
 * The NACK of `update`: the version refused, the one still served, the nonce, and the error
 * with its kind (who is to blame: {@link errorKindOf}).
 */
export function nackOf(update: ConfigUpdate, running: bigint, err: Refusal): StreamConfigRequest {
  return create(StreamConfigRequestSchema, {
    kind: {
      case: "nack",
      value: {
        rejectedVersion: update.version,
        runningVersion: running,
        nonce: update.nonce,
        error: { code: err.code, message: err.message, resource: err.resource, kind: errorKindOf(err.code) },
      },
    },
  });
}

/** The refusal of a node fault: the details go to the log, never into the NACK. */
export const NODE_FAULT: Refusal = Object.freeze({
  code: "INTERNAL",
  message: "internal error while applying the config",
  resource: "snapshot",
});

/**
 * Builds the config an update describes from the one held: the update's resources (full), or
 * the delta applied to `held`. A node fault while applying a delta asks for the whole config
 * (BASE_MISMATCH: the node cannot trust what it holds); on a full update it is a node fault.
 * @returns the config, or the refusal to NACK with
 */
export function configOf(
  update: ConfigUpdate,
  held: ConfigState,
  hasTable: boolean,
  log: Logger,
): ConfigState | Refusal {
  const version = update.version;
  try {
    if (update.full) return ConfigState.full(version, update.createdAtMs, update.resources);
    if (update.baseHash !== held.hash || !hasTable)
      return { code: BASE_MISMATCH, message: "the node does not hold the delta's base", resource: "snapshot" };
    return held.applyDelta(version, update.createdAtMs, update.resources, update.removed);
  } catch (err) {
    if (err instanceof CompileError) {
      if (!update.full && err.code === "RESOURCE_INVALID" && err.message.includes("not held"))
        return { code: BASE_MISMATCH, message: err.message, resource: err.resource };
      return err;
    }
    log.error({ err, version: Number(version), full: update.full }, "applying the update's resources crashed");
    if (update.full) return NODE_FAULT;
    return { code: BASE_MISMATCH, message: "the node could not apply the delta", resource: "snapshot" };
  }
}

/**
 * Applies config updates, transport aside (the stream loop is in sync-client.ts), so the
 * ACK/NACK rules are testable without a socket:
 * - a full update builds the config from its resources; a delta applies to the config held,
 *   after checking that the node holds its base (`base_hash`), else NACK BASE_MISMATCH;
 * - the result must hash to the update's `hash` (the content hash both planes compute from the
 *   resource bytes), else NACK (BASE_MISMATCH for a delta, SNAPSHOT_INVALID for a full update);
 * - same content as applied → ACK, nothing recompiled (Kong's config hash check), unless the
 *   update is a `resync`;
 * - else compile (a delta reuses the previous table for unchanged resources; a full update and
 *   a `resync` reuse nothing) → swap → write the last-known-good file → ACK `{version, nonce, hash}`;
 * - only a config error becomes a NACK: when the compile that reused the previous table fails
 *   for any reason, the same version is compiled again from scratch before the node answers
 *   (the reuse is an optimisation and must never decide the answer); the from-scratch result is
 *   swapped in, or its CompileError is the NACK `{rejected_version, running_version, nonce,
 *   error}` (kind `CONFIG`), and the old table keeps serving. An error that is not a
 *   CompileError from scratch too is this node's fault: NACK `INTERNAL` (kind `NODE_FAULT`).
 */
export class ConfigApplier implements UpdateApplier {
  #holder: TableHolder;
  #compile: CompileFn;
  #log: Logger;
  #persist: ConfigPersister | undefined;
  #state: ConfigState = ConfigState.empty();
  #stats: SyncStats | undefined;

  constructor(holder: TableHolder, compile: CompileFn, log: Logger, persist?: ConfigPersister, stats?: SyncStats) {
    this.#holder = holder;
    this.#compile = compile;
    this.#log = log;
    this.#persist = persist;
    this.#stats = stats;
  }

  /** The config held (empty until one is applied). */
  get state(): ConfigState {
    return this.#state;
  }

  /**
   * Serves a config that did not come over the stream (the last-known-good file, `--config-file`).
   * @throws CompileError when it does not compile
   */
  adopt(state: ConfigState, source: ConfigSource): RuntimeTable {
    const started = performance.now();
    const table = this.#compile(state.snapshot(), undefined);
    this.#holder.swap(table, state.version, source);
    this.#state = state;
    this.#log.info(
      { version: Number(state.version), hash: state.hash, source, routes: table.routes.size, compile_ms: ms(started) },
      "config applied",
    );
    return table;
  }

  /**
   * Applies one update.
   * @returns the ACK or NACK to send back (never rejects)
   */
  async apply(update: ConfigUpdate): Promise<StreamConfigRequest> {
    const version = update.version;
    const held = this.#state;
    this.#stats?.received(update.full);
    const started = performance.now();
    const next = configOf(update, held, this.#holder.applied !== undefined, this.#log);
    if (!(next instanceof ConfigState)) return this.#nack(update, next);
    if (update.hash !== "" && next.hash !== update.hash) {
      return this.#nack(update, {
        code: update.full ? "SNAPSHOT_INVALID" : BASE_MISMATCH,
        message: "the resources do not hash to the update's content hash",
        resource: "snapshot",
      });
    }
    const applied = this.#holder.applied;
    if (applied !== undefined && next.hash === applied.hash && !update.resync) {
      this.#state = next;
      if (applied.version !== version) this.#holder.relabel(version, "control-plane");
      await this.#save(next);
      this.#log.info({ version: Number(version), hash: next.hash }, "config unchanged (same hash)");
      return ack(version, update.nonce, next.hash);
    }
    const table = this.#build(update, held, next);
    if (!("router" in table)) return this.#nack(update, table);
    const applyMs = ms(started);
    this.#holder.swap(table, version, "control-plane");
    this.#state = next;
    await this.#save(next);
    this.#log.info(
      {
        version: Number(version),
        hash: next.hash,
        full: update.full,
        resync: update.resync,
        resources: update.resources.length,
        removed: update.removed.length,
        apply_ms: applyMs,
        routes: table.routes.size,
      },
      "config applied",
    );
    return ack(version, update.nonce, next.hash);
  }

  /**
   * Compiles `next`: a delta reusing the live table (a full update shares no message with it, so
   * there is nothing to reuse), and from scratch when that fails, for a full update and for a
   * resync.
   */
  #build(update: ConfigUpdate, held: ConfigState, next: ConfigState): RuntimeTable | Refusal {
    const previous = update.full || update.resync ? undefined : this.#holder.table;
    const version = Number(update.version);
    if (previous !== undefined) {
      // The hint holds only when the live table was compiled from the config the delta applied to.
      const hint = previous.hash === held.hash ? next.touched(4) : undefined;
      try {
        return this.#compile(next.snapshot(), previous, hint);
      } catch (err) {
        const refused = err instanceof CompileError;
        this.#log[refused ? "debug" : "error"](
          { err, version },
          refused
            ? "config refused by the incremental compile: checking from scratch"
            : "incremental config compile crashed: compiling from scratch",
        );
      }
    }
    try {
      const table = this.#compile(next.snapshot(), undefined);
      if (previous !== undefined)
        this.#log.error({ version }, "the incremental compile failed where a compile from scratch succeeds (a bug)");
      return table;
    } catch (err) {
      if (err instanceof CompileError) return err;
      this.#log.error({ err, version }, "config compile crashed");
      return NODE_FAULT;
    }
  }

  #save(state: ConfigState): Promise<void> {
    return persistConfig(this.#persist, state, this.#log);
  }

  #nack(update: ConfigUpdate, err: Refusal): StreamConfigRequest {
    if (this.#stats) this.#stats.nacked++;
    const running = this.#holder.applied?.version ?? 0n;
    logNack(this.#log, update.version, running, err);
    return nackOf(update, running, err);
  }
}

/** The node's log line of a NACK (a BASE_MISMATCH asks for a full update: not a refusal). */
export function logNack(log: Logger, rejected: bigint, running: bigint, err: Refusal): void {
  const kind = errorKindOf(err.code);
  log.warn(
    {
      rejected_version: Number(rejected),
      running_version: Number(running),
      code: err.code,
      kind: kind === ConfigErrorKind.NODE_FAULT ? "node_fault" : kind === ConfigErrorKind.CONFIG ? "config" : undefined,
      resource: err.resource,
      reason: err.message,
    },
    err.code === BASE_MISMATCH ? "delta refused: asking for a full update" : "config rejected (NACK)",
  );
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** The ACK of a version: the nonce of its update and the content hash now served. */
export function ack(version: bigint, nonce: string, hash: string): StreamConfigRequest {
  return create(StreamConfigRequestSchema, { kind: { case: "ack", value: { version, nonce, hash } } });
}
