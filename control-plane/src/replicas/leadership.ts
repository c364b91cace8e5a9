import type { Logger } from "../log.js";
import { LEADER_LEASE, REPLICA_LEASE_PREFIX, type ReplicaStore } from "../store/replica-store.js";

/** Timing of {@link Leadership}, ms. */
export interface LeadershipTiming {
  /** How long a taken or renewed lease lasts (default 5,000): a dead leader is replaced after at most this plus `renewMs`. */
  readonly ttlMs?: number;
  /** How often each replica renews its leases and a follower tries the leader lease (default 1,500). */
  readonly renewMs?: number;
}

/** Default lease, ms: takeover within ttl + renew (6.5 s) of a leader's death, issue 19's ≤ 10 s. */
export const LEASE_TTL_MS = 5000;
/** Default renew interval, ms. */
export const LEASE_RENEW_MS = 1500;

/**
 * Which control plane on a shared database runs singleton work (rollout ticks, the sweep of
 * nodes whose control plane died, report pruning): the holder of the `leader` lease, a row with
 * an expiry by the database's clock (the Kubernetes Lease / Kong cluster-mutex pattern rather
 * than a session advisory lock, whose release waits for the server to notice a dead TCP peer).
 * Every `renewMs` each replica renews its own liveness lease (`replica:<instance>`) and takes or
 * renews the leader lease. A leader that cannot renew stops leading once its lease may have
 * expired (measured from when its last successful renewal was sent), before another can take
 * it. A clean stop gives the lease up, so a follower takes over at its next try.
 *
 * Leadership only decides who does the work; correctness does not rest on it: every rollout
 * transition runs under a transaction lock over the stored record (engine.ts), so two replicas
 * that both believe they lead for a moment still make each transition once.
 */
export class Leadership {
  readonly #store: ReplicaStore;
  readonly #instance: string;
  readonly #ttlMs: number;
  readonly #renewMs: number;
  readonly #log: Logger;
  readonly #listeners = new Set<(leading: boolean) => void>();
  #leading = false;
  /** performance.now() when the last successful leader renewal was sent. */
  #renewedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;

  /**
   * @param instance this control plane (Store.instance)
   */
  constructor(store: ReplicaStore, instance: string, log: Logger, timing: LeadershipTiming = {}) {
    this.#store = store;
    this.#instance = instance;
    this.#log = log;
    this.#ttlMs = timing.ttlMs ?? LEASE_TTL_MS;
    this.#renewMs = timing.renewMs ?? LEASE_RENEW_MS;
  }

  /** Whether this control plane leads now. */
  leading(): boolean {
    if (this.#leading && performance.now() - this.#renewedAt >= this.#ttlMs) this.#set(false, "lease not renewed");
    return this.#leading;
  }

  /** Calls `fn(true)` when this control plane becomes the leader and `fn(false)` when it stops. */
  onChange(fn: (leading: boolean) => void): void {
    this.#listeners.add(fn);
  }

  /** Runs the first round now (resolved once it ran), then one every `renewMs`. */
  async start(): Promise<void> {
    this.#round = this.#renew();
    await this.#round;
    const loop = () => {
      this.#timer = setTimeout(() => {
        this.#round = this.#renew().finally(() => {
          if (!this.#stopped) loop();
        });
      }, this.#renewMs);
      this.#timer.unref();
    };
    loop();
  }

  /** Stops renewing and gives both leases up (best effort: an unreachable database lets them expire). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    const was = this.#leading;
    this.#set(false, "stopping");
    await Promise.all([
      was ? this.#store.release(LEADER_LEASE, this.#instance) : undefined,
      this.#store.release(REPLICA_LEASE_PREFIX + this.#instance, this.#instance),
    ]).catch(() => {});
  }

  async #renew(): Promise<void> {
    const sent = performance.now();
    try {
      await this.#store.acquire(REPLICA_LEASE_PREFIX + this.#instance, this.#instance, this.#ttlMs);
      const held = await this.#store.acquire(LEADER_LEASE, this.#instance, this.#ttlMs);
      if (this.#stopped) return;
      if (held) this.#renewedAt = sent;
      this.#set(held, held ? "lease taken" : "another control plane leads");
    } catch (err) {
      this.#log.warn({ err }, "leases not renewed: the database is unavailable");
      this.leading();
    }
  }

  #set(leading: boolean, why: string): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#log.info(
      { instance: this.#instance, why },
      leading ? "leading: rollouts and sweeps run here" : "not leading",
    );
    for (const fn of this.#listeners) {
      try {
        fn(leading);
      } catch (err) {
        this.#log.error({ err }, "leadership listener failed");
      }
    }
  }
}
