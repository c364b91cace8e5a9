import { create } from "@bufbuild/protobuf";
import { type ConfigUpdate, type Snapshot, type StreamConfigRequest, StreamConfigRequestSchema } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import type { RuntimeTable } from "../config/runtime-table.js";
import type { TableHolder } from "../config/table-holder.js";
import type { Logger } from "../log.js";

/** Compiles a snapshot (the node's `compile` with its options bound). */
export type CompileFn = (snapshot: Snapshot) => RuntimeTable;

/** Applies one config update and gives the answer (ACK or NACK) to send; never throws. */
export interface UpdateApplier {
  apply(update: ConfigUpdate): StreamConfigRequest | Promise<StreamConfigRequest>;
}

/**
 * Applies config updates, transport aside (the stream loop is in sync-client.ts), so the
 * ACK/NACK rules are testable without a socket:
 * - same `hash` as the applied config → ACK, nothing recompiled (Kong's config hash check);
 * - else compile → swap → ACK `{version, nonce}`;
 * - CompileError (or no snapshot) → NACK `{rejected_version, running_version, nonce, error}`,
 *   and the old table keeps serving.
 */
export class ConfigApplier implements UpdateApplier {
  #holder: TableHolder;
  #compile: CompileFn;
  #log: Logger;

  constructor(holder: TableHolder, compile: CompileFn, log: Logger) {
    this.#holder = holder;
    this.#compile = compile;
    this.#log = log;
  }

  /**
   * Applies one update.
   * @returns the ACK or NACK to send back (never throws: an unexpected compile error is a
   *   NACK with code INTERNAL, its details logged)
   */
  apply(update: ConfigUpdate): StreamConfigRequest {
    const snapshot = update.snapshot;
    const version = update.version !== 0n ? update.version : (snapshot?.version ?? 0n);
    if (snapshot === undefined) {
      return this.#nack(
        update,
        version,
        new CompileError("SNAPSHOT_INVALID", "update carries no snapshot", "snapshot"),
      );
    }
    const applied = this.#holder.applied;
    if (applied !== undefined && snapshot.hash !== "" && snapshot.hash === applied.hash) {
      if (applied.version !== version) this.#holder.relabel(version);
      this.#log.info({ version: Number(version), hash: snapshot.hash }, "config unchanged (same hash)");
      return ack(version, update.nonce);
    }
    const started = performance.now();
    let table: RuntimeTable;
    try {
      table = this.#compile(snapshot);
    } catch (err) {
      if (err instanceof CompileError) return this.#nack(update, version, err);
      this.#log.error({ err, version: Number(version) }, "config compile crashed");
      return this.#nack(update, version, new CompileError("INTERNAL", "internal error while compiling", "snapshot"));
    }
    const compileMs = Math.round((performance.now() - started) * 100) / 100;
    this.#holder.swap(table, version);
    this.#log.info(
      { version: Number(version), hash: snapshot.hash, compile_ms: compileMs, routes: table.routes.size },
      "config applied",
    );
    return ack(version, update.nonce);
  }

  #nack(update: ConfigUpdate, rejected: bigint, err: CompileError): StreamConfigRequest {
    const running = this.#holder.applied?.version ?? 0n;
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

function ack(version: bigint, nonce: string): StreamConfigRequest {
  return create(StreamConfigRequestSchema, { kind: { case: "ack", value: { version, nonce } } });
}
