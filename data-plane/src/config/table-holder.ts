import type { RuntimeTable } from "./runtime-table.js";

/**
 * Where the config a node serves came from: the control plane's stream, the last-known-good
 * file written before an earlier ACK (the control plane was unreachable at boot), or an
 * exported snapshot given with `--config-file`.
 */
export type ConfigSource = "control-plane" | "cache" | "file";

/** A WAF rule set of the applied config, as the status endpoint shows it (never its files). */
export interface AppliedRuleSet {
  readonly id: string;
  readonly name: string;
  /** The rule set's content hash (sha256 of its files), verified by the node. */
  readonly hash: string;
  readonly bytes: number;
}

/** What a node reports about the config it serves. */
export interface AppliedConfig {
  readonly version: bigint;
  readonly hash: string;
  /** When this version was applied (or re-acknowledged with the same hash). */
  readonly appliedAt: Date;
  readonly source: ConfigSource;
  /** The WAF rule sets it holds (absent: none). */
  readonly ruleSets?: readonly AppliedRuleSet[];
}

/** Where the applied config is read (status endpoints, the hello): a TableHolder, or a cluster primary. */
export interface AppliedSource {
  /** Version, hash and time of the applied config, `undefined` until one is applied. */
  readonly applied: AppliedConfig | undefined;
}

/**
 * The live table: one reference, replaced whole by {@link swap}. A request reads `table` once
 * and keeps that object, so in-flight requests finish on the table they started with.
 */
export class TableHolder implements AppliedSource {
  #table: RuntimeTable | undefined;
  #applied: AppliedConfig | undefined;
  #onSwap: ((table: RuntimeTable) => void) | undefined;
  readonly #watchers: Array<(table: RuntimeTable) => void> = [];

  /** @param onSwap called after each swap (e.g. to retain the pools the new table uses) */
  constructor(onSwap?: (table: RuntimeTable) => void) {
    this.#onSwap = onSwap;
  }

  /** The live table, `undefined` until a config is applied. */
  get table(): RuntimeTable | undefined {
    return this.#table;
  }

  /** Version, hash and time of the applied config, `undefined` until one is applied. */
  get applied(): AppliedConfig | undefined {
    return this.#applied;
  }

  /** Makes `table` live (one assignment). `version` defaults to the table's. */
  swap(table: RuntimeTable, version: bigint = table.version, source: ConfigSource = "control-plane"): void {
    this.#table = table;
    const ruleSets = [...table.ruleSets.values()].map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.contentHash,
      bytes: r.bytes,
    }));
    this.#applied = Object.freeze({ version, hash: table.hash, appliedAt: new Date(), source, ruleSets });
    this.#onSwap?.(table);
    for (const w of this.#watchers) w(table);
  }

  /** Calls `fn` after every later swap (the security-event pipeline reads the table's telemetry resource). */
  watch(fn: (table: RuntimeTable) => void): void {
    this.#watchers.push(fn);
  }

  /** Records a new version number for the same content (same hash): nothing is recompiled. */
  relabel(version: bigint, source: ConfigSource = this.#applied?.source ?? "control-plane"): void {
    if (this.#applied !== undefined) {
      this.#applied = Object.freeze({ ...this.#applied, version, appliedAt: new Date(), source });
    }
  }
}
