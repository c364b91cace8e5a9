import { fromBinary } from "@bufbuild/protobuf";
import { type Snapshot, SnapshotSchema } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import type { RuntimeTable } from "../config/runtime-table.js";
import type { TableHolder } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import type { FromWorker, RefusalDetail, ToWorker } from "./messages.js";

/** The config messages of the primary → worker protocol. */
export type ConfigMessage = Extract<ToWorker, { t: "prepare" | "commit" | "abort" | "apply" | "relabel" }>;

/**
 * The config side of a cluster worker, transport aside (worker.ts feeds it IPC messages): it
 * compiles on `prepare` and holds the table under the round's seq, swaps it in on `commit`
 * (one reference, as in a single process), drops it on `abort`, compiles and swaps at once on
 * `apply` (a worker catching up), and relabels on `relabel`. Every compile is from scratch (a
 * worker gets whole snapshots). A compile failure is a refusal: a CompileError keeps its code,
 * anything else is this worker's fault (`INTERNAL`, details in its log).
 */
export class WorkerConfig {
  readonly #holder: TableHolder;
  readonly #compile: (snapshot: Snapshot) => RuntimeTable;
  readonly #log: Logger;
  readonly #prepared = new Map<number, { table: RuntimeTable; version: bigint }>();

  /** @param compile the node's compile (CompileError on a refused snapshot) */
  constructor(holder: TableHolder, compile: (snapshot: Snapshot) => RuntimeTable, log: Logger) {
    this.#holder = holder;
    this.#compile = compile;
    this.#log = log;
  }

  /** Handles one message. @returns the reply to send the primary, if any */
  handle(msg: ConfigMessage): FromWorker | undefined {
    switch (msg.t) {
      case "prepare":
      case "apply": {
        const out = this.#compileBytes(msg.seq, msg.snapshot);
        if (!("router" in out)) return { t: "refused", seq: msg.seq, error: out };
        if (msg.t === "prepare") {
          this.#prepared.set(msg.seq, { table: out, version: msg.version });
          return { t: "prepared", seq: msg.seq };
        }
        this.#holder.swap(out, msg.version);
        return { t: "committed", seq: msg.seq, version: msg.version };
      }
      case "commit": {
        const p = this.#prepared.get(msg.seq);
        this.#prepared.clear();
        if (p === undefined) return undefined;
        this.#holder.swap(p.table, p.version);
        return { t: "committed", seq: msg.seq, version: p.version };
      }
      case "abort":
        this.#prepared.delete(msg.seq);
        return undefined;
      case "relabel":
        this.#holder.relabel(msg.version);
        return undefined;
    }
  }

  #compileBytes(seq: number, bytes: Uint8Array): RuntimeTable | RefusalDetail {
    try {
      return this.#compile(fromBinary(SnapshotSchema, bytes));
    } catch (err) {
      if (err instanceof CompileError) return { code: err.code, message: err.message, resource: err.resource };
      this.#log.error({ err, seq }, "config compile crashed");
      return { code: "INTERNAL", message: "internal error while compiling", resource: "snapshot" };
    }
  }
}
