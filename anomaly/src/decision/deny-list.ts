import type { Decision, DecisionTarget } from "./decide.js";

/**
 * The active decisions of a node (or of the control plane, which pushes them): at most one per
 * client (a newer decision replaces an older one; deny outranks throttle while both would hold),
 * expiring by TTL, bounded (`max`; the decision closest to expiry goes first). The data plane's
 * request filter will ask {@link DenyList.lookup} with the client's address, consumer and
 * credential and answer 403, or 429 once the throttle's per-second budget is spent, with
 * `Retry-After`.
 */
export class DenyList {
  readonly #byTarget = new Map<string, Decision>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  static #key(t: DecisionTarget): string {
    return `${t.type}:${t.id}`;
  }

  /** Adds an enforced decision (a `detect`-mode decision is ignored). @returns true when it changed the list */
  add(d: Decision): boolean {
    if (!d.enforced) return false;
    const k = DenyList.#key(d.target);
    const old = this.#byTarget.get(k);
    if (old !== undefined && old.action === "deny" && d.action === "throttle" && old.expiresAtMs > d.createdAtMs) {
      return false;
    }
    this.#byTarget.delete(k);
    this.#byTarget.set(k, d);
    if (this.#byTarget.size > this.#max) {
      let soonest: string | undefined;
      let at = Number.POSITIVE_INFINITY;
      for (const [key, v] of this.#byTarget) {
        if (v.expiresAtMs < at) {
          at = v.expiresAtMs;
          soonest = key;
        }
      }
      if (soonest !== undefined) this.#byTarget.delete(soonest);
    }
    return true;
  }

  /** Removes the decision on a client (manual unblock). @returns true when there was one */
  remove(t: DecisionTarget): boolean {
    return this.#byTarget.delete(DenyList.#key(t));
  }

  /** The decision on one client that holds at `nowMs`, if any (an expired one is dropped). */
  lookupTarget(t: DecisionTarget, nowMs: number): Decision | undefined {
    const k = DenyList.#key(t);
    const d = this.#byTarget.get(k);
    if (d === undefined) return undefined;
    if (d.expiresAtMs > nowMs) return d;
    this.#byTarget.delete(k);
    return undefined;
  }

  /** The decision that holds for a request now, if any (deny first, then throttle). */
  lookup(nowMs: number, address: string, consumer?: string, credential?: string): Decision | undefined {
    let hit: Decision | undefined;
    for (const [type, id] of [
      ["address", address],
      ["consumer", consumer],
      ["credential", credential],
    ] as const) {
      if (id === undefined) continue;
      const d = this.#byTarget.get(`${type}:${id}`);
      if (d === undefined) continue;
      if (d.expiresAtMs <= nowMs) {
        this.#byTarget.delete(`${type}:${id}`);
        continue;
      }
      if (hit === undefined || (d.action === "deny" && hit.action === "throttle")) hit = d;
    }
    return hit;
  }

  /** Active decisions now (expired ones are dropped), soonest to expire first. */
  list(nowMs: number): Decision[] {
    for (const [k, d] of this.#byTarget) if (d.expiresAtMs <= nowMs) this.#byTarget.delete(k);
    return [...this.#byTarget.values()].sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  }

  /** `Retry-After` for a decision at `nowMs`, whole seconds (at least 1). */
  static retryAfter(d: Decision, nowMs: number): number {
    return Math.max(1, Math.ceil((d.expiresAtMs - nowMs) / 1000));
  }
}
