import { create } from "@bufbuild/protobuf";
import { type ConfigUpdate, type Snapshot, type StreamConfigRequest, StreamConfigRequestSchema } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
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

/**
 * Applies config updates, transport aside (the stream loop is in sync-client.ts), so the
 * ACK/NACK rules are testable without a socket:
 * - a full update builds the config from its resources; a delta applies to the config held,
 *   after checking that the node holds its base (`base_hash`), else NACK BASE_MISMATCH;
 * - the result must hash to the update's `hash` (the content hash both planes compute from the
 *   resource bytes), else NACK (BASE_MISMATCH for a delta, SNAPSHOT_INVALID for a full update);
 * - same content as applied → ACK, nothing recompiled (Kong's config hash check);
 * - else compile (reusing the previous table for unchanged resources) → swap → write the
 *   last-known-good file → ACK `{version, nonce, hash}`;
 * - CompileError → NACK `{rejected_version, running_version, nonce, error}`, the old table
 *   keeps serving.
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
   * @returns the ACK or NACK to send back (never rejects: an unexpected compile error is a
   *   NACK with code INTERNAL, its details logged)
   */
  async apply(update: ConfigUpdate): Promise<StreamConfigRequest> {
    const version = update.version;
    const held = this.#state;
    this.#stats?.received(update.full);
    let next: ConfigState;
    const started = performance.now();
    try {
      if (update.full) next = ConfigState.full(version, update.createdAtMs, update.resources);
      else {
        if (update.baseHash !== held.hash || this.#holder.applied === undefined)
          return this.#nack(
            update,
            new CompileError("BASE_MISMATCH", "the node does not hold the delta's base", "snapshot"),
          );
        next = held.applyDelta(version, update.createdAtMs, update.resources, update.removed);
      }
    } catch (err) {
      if (err instanceof CompileError) {
        if (!update.full && err.code === "RESOURCE_INVALID" && err.message.includes("not held"))
          return this.#nack(update, new CompileError("BASE_MISMATCH", err.message, err.resource));
        return this.#nack(update, err);
      }
      throw err;
    }
    if (update.hash !== "" && next.hash !== update.hash) {
      return this.#nack(
        update,
        new CompileError(
          update.full ? "SNAPSHOT_INVALID" : "BASE_MISMATCH",
          "the resources do not hash to the update's content hash",
          "snapshot",
        ),
      );
    }
    const applied = this.#holder.applied;
    if (applied !== undefined && next.hash === applied.hash) {
      this.#state = next;
      if (applied.version !== version) this.#holder.relabel(version, "control-plane");
      await this.#save(next);
      this.#log.info({ version: Number(version), hash: next.hash }, "config unchanged (same hash)");
      return ack(version, update.nonce, next.hash);
    }
    let table: RuntimeTable;
    try {
      const previous = this.#holder.table;
      // The hint holds only when the live table was compiled from the config the delta applied to.
      const hint = !update.full && previous !== undefined && previous.hash === held.hash ? next.touched(4) : undefined;
      table = this.#compile(next.snapshot(), previous, hint);
    } catch (err) {
      if (err instanceof CompileError) return this.#nack(update, err);
      this.#log.error({ err, version: Number(version) }, "config compile crashed");
      return this.#nack(update, new CompileError("INTERNAL", "internal error while compiling", "snapshot"));
    }
    const applyMs = ms(started);
    this.#holder.swap(table, version, "control-plane");
    this.#state = next;
    await this.#save(next);
    this.#log.info(
      {
        version: Number(version),
        hash: next.hash,
        full: update.full,
        resources: update.resources.length,
        removed: update.removed.length,
        apply_ms: applyMs,
        routes: table.routes.size,
      },
      "config applied",
    );
    return ack(version, update.nonce, next.hash);
  }

  #save(state: ConfigState): Promise<void> {
    return persistConfig(this.#persist, state, this.#log);
  }

  #nack(update: ConfigUpdate, err: CompileError): StreamConfigRequest {
    if (this.#stats) this.#stats.nacked++;
    const running = this.#holder.applied?.version ?? 0n;
    this.#log.warn(
      {
        rejected_version: Number(update.version),
        running_version: Number(running),
        code: err.code,
        resource: err.resource,
        reason: err.message,
      },
      err.code === "BASE_MISMATCH" ? "delta refused: asking for a full update" : "config rejected (NACK)",
    );
    return create(StreamConfigRequestSchema, {
      kind: {
        case: "nack",
        value: {
          rejectedVersion: update.version,
          runningVersion: running,
          nonce: update.nonce,
          error: { code: err.code, message: err.message, resource: err.resource },
        },
      },
    });
  }
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function ack(version: bigint, nonce: string, hash: string): StreamConfigRequest {
  return create(StreamConfigRequestSchema, { kind: { case: "ack", value: { version, nonce, hash } } });
}
