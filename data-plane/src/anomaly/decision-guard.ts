import { type Decision, DenyList } from "@palisade/anomaly";
import { CONTINUE, NO_TRAITS, type Policy, type PolicyExchange, refusal, type Verdict } from "../policies/contract.js";

/** A throttled client's token bucket (burst = one second of its rate, at least 1). */
interface Bucket {
  tokens: number;
  atMs: number;
}

/** Throttled clients tracked at most (their decisions are bounded too; past this, the oldest bucket goes). */
const MAX_BUCKETS = 100_000;

/**
 * The anomaly decisions a node enforces, as a node-wide policy on the contract: the request
 * loop runs its `requestHeaders` hook first in `request_filter` (right after the client address
 * is known, before routing: a denied client costs no route match and no authentication), and
 * again after the route's chain when an authentication named a consumer. A deny answers 403
 * `ANOMALY_DENIED`, a throttle 429 `ANOMALY_THROTTLED` once the client's per-second budget is
 * spent, both with `Retry-After` (RFC 9110 §10.2.3: seconds until the decision expires, or
 * until the next token for a throttle). Decisions come from the control plane
 * ({@link apply}); times are moved onto this node's clock with the offset of the update's
 * `sent_at_ms`. With no decision the hook is one branch.
 */
export class DecisionGuard implements Policy {
  readonly type = "anomaly";
  readonly id = "anomaly-decisions";
  readonly traits = NO_TRAITS;
  readonly #list = new DenyList();
  readonly #buckets = new Map<string, Bucket>();
  #count = 0;

  /** Decisions held now (expired ones included until looked up). */
  get size(): number {
    return this.#count;
  }

  /** The active decisions, soonest to expire first. */
  list(nowMs = Date.now()): Decision[] {
    return this.#list.list(nowMs);
  }

  /**
   * Applies a decision update from the control plane.
   * @param full replace every decision held
   * @param decisions added or replaced (times already on this node's clock)
   * @param lifted targets whose decision ends, `<type>:<id>`
   */
  apply(full: boolean, decisions: readonly Decision[], lifted: readonly string[]): void {
    if (full) {
      for (const d of this.#list.list(Number.NEGATIVE_INFINITY)) this.#list.remove(d.target);
      this.#buckets.clear();
    }
    for (const key of lifted) {
      const i = key.indexOf(":");
      const type = key.slice(0, i);
      if (type === "address" || type === "consumer" || type === "credential")
        this.#list.remove({ type, id: key.slice(i + 1) });
    }
    for (const d of decisions) this.#list.add(d);
    this.#count = this.#list.list(Date.now()).length;
  }

  requestHeaders(ex: PolicyExchange): Verdict {
    if (this.#count === 0) return CONTINUE;
    const now = Date.now();
    const consumer = ex.consumer;
    const d = this.#list.lookup(now, ex.view.clientAddress, consumer === null ? undefined : consumer.id);
    if (d === undefined) return CONTINUE;
    if (d.action === "deny")
      return refusal(
        "ANOMALY_DENIED",
        "anomaly_denied",
        { "retry-after": String(DenyList.retryAfter(d, now)) },
        consumer,
      );
    const rate = d.ratePerS > 0 ? d.ratePerS : 1;
    const burst = Math.max(1, rate);
    let b = this.#buckets.get(d.id);
    if (b === undefined) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value!);
      b = { tokens: burst, atMs: now };
      this.#buckets.set(d.id, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((now - b.atMs) / 1000) * rate);
      b.atMs = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return CONTINUE;
    }
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    return refusal("ANOMALY_THROTTLED", "anomaly_throttled", { "retry-after": String(wait) }, consumer);
  }
}
