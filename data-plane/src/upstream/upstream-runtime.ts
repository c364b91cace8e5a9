import type { RuntimeTable } from "../config/runtime-table.js";
import type { Logger } from "../log.js";
import { UpstreamCounters } from "./dispatch/upstream-call.js";
import { ActiveHealthChecker } from "./health-checker.js";
import { TargetHealth } from "./target-health.js";

/**
 * The upstream state that outlives compiled tables, as PoolManager does for pools: per upstream
 * id its in-flight counters (circuit breaker, retry budget), per (upstream, target) its
 * {@link TargetHealth}, and the active health checkers of the live table. `compile` asks it for
 * the state objects (no I/O); {@link retain}, called when a table is swapped in, drops what the
 * table no longer uses and starts or stops checkers.
 */
export class UpstreamRuntime {
  readonly #log: Logger | null;
  #counters = new Map<string, UpstreamCounters>();
  #health = new Map<string, TargetHealth>();
  #checkers = new Map<string, ActiveHealthChecker>();
  #closed = false;

  /** @param log where ejections and health changes are logged (`null`: nowhere) */
  constructor(log: Logger | null = null) {
    this.#log = log;
  }

  /** The counters of upstream `id` (created on first use). */
  counters(id: string): UpstreamCounters {
    let c = this.#counters.get(id);
    if (c === undefined) {
      c = new UpstreamCounters();
      this.#counters.set(id, c);
    }
    return c;
  }

  /** The health of target `origin` of upstream `id` (created healthy on first use). */
  targetHealth(id: string, origin: string): TargetHealth {
    const key = `${id}|${origin}`;
    let h = this.#health.get(key);
    if (h === undefined) {
      h = new TargetHealth(origin, this.#log);
      this.#health.set(key, h);
    }
    return h;
  }

  /** Active checkers running. */
  get checkers(): number {
    return this.#checkers.size;
  }

  /**
   * The live table changed: keeps the state its upstreams use, forgets the rest, and runs one
   * active checker per target of each upstream with active checks (restarted when the check's
   * settings or the target's connection settings change).
   */
  retain(table: RuntimeTable): void {
    const counters = new Set<string>();
    const health = new Set<string>();
    const checkers = new Map<string, () => ActiveHealthChecker>();
    for (const u of table.upstreams.values()) {
      counters.add(u.id);
      for (const t of u.targets) {
        health.add(`${u.id}|${t.origin}`);
        if (u.activeCheck !== null && !this.#closed) {
          const key = `${u.id}|${t.pool.key}|${t.hostHeader}|${JSON.stringify(u.activeCheck)}`;
          const settings = u.activeCheck;
          const counters = u.counters;
          checkers.set(key, () => new ActiveHealthChecker(t, settings, counters));
        }
      }
    }
    for (const id of this.#counters.keys()) if (!counters.has(id)) this.#counters.delete(id);
    for (const [key, h] of this.#health) {
      if (!health.has(key)) {
        h.dispose();
        this.#health.delete(key);
      }
    }
    for (const [key, c] of this.#checkers) {
      if (!checkers.has(key)) {
        c.stop();
        this.#checkers.delete(key);
      }
    }
    for (const [key, make] of checkers) {
      if (this.#checkers.has(key)) continue;
      const c = make();
      this.#checkers.set(key, c);
      c.start();
    }
    // Targets whose upstream no longer has active checks forget their active verdict.
    for (const u of table.upstreams.values())
      if (u.activeCheck === null) for (const t of u.targets) t.health.clearActive();
  }

  /** Stops every checker and ejection timer. */
  close(): void {
    this.#closed = true;
    for (const c of this.#checkers.values()) c.stop();
    this.#checkers.clear();
    for (const h of this.#health.values()) h.dispose();
  }
}
