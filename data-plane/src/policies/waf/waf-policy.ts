import { newEventId } from "@palisade/events";
import type { Header, Interruption, RequestInput, Transaction } from "@palisade/waf";
import type { RouteWaf } from "../../config/compile-waf.js";
import type { ErrorCode } from "../../errors.js";
import type { SecurityEventType, SecurityReason } from "../../events/security-events.js";
import { type RouteWafCounters, ruleGroupOf, type WafStats } from "../../telemetry/waf-stats.js";
import {
  CONTINUE,
  type LoggedExchange,
  type Policy,
  type PolicyExchange,
  type PolicyTraits,
  type Refusal,
  type Verdict,
} from "../contract.js";
import { wafEventDetail } from "./waf-event.js";
import { WafRedaction } from "./waf-redaction.js";

/** What happened to one request's transaction so far (its state on the exchange). */
class WafState {
  /** `null` when the transaction could not even be made (handled as an engine error). */
  readonly tx: Transaction | null;
  /** The event id, made when the request is refused (its error body names it) or when the event is emitted. */
  eventId: string | null = null;
  /** The interruption that stopped the request (block mode), or `null`. */
  blocked: Interruption | null = null;
  /** The body was over the inspection limit. */
  bodyOverLimit = false;
  /** An engine failure (its code and rule), or `null`. */
  error: string | null = null;
  /** No further phase runs (the request was refused, or the engine failed and the policy fails open). */
  done = false;
  /** Time spent in this policy's phases so far, ms (performance.now() around each). */
  spentMs = 0;

  constructor(tx: Transaction | null) {
    this.tx = tx;
  }
}

/** The interruption of a body over the limit in reject mode (the engine's own is `ruleId` 0 too). */
const BODY_LIMIT: Interruption = Object.freeze({ action: "deny", status: 413, ruleId: 0, phase: 2 });

/**
 * The `waf` policy of one route (issue 14 point 4): runs the route's compiled rule set
 * ({@link RouteWaf}: its own waf policy, else the global one, with the exclusions scoped to the
 * route) on the phase contract, ModSecurity's phases mapped onto Palisade's:
 *
 *     request_filter        requestHeaders  → phase 1 (request line, headers)
 *     request_body_filter   requestBody     → phase 2 (the body, buffered up to the inspection limit;
 *                                             an empty body for a request without one)
 *     response_filter       responseHeaders → phase 3   ┐ only with response_inspection on
 *     response_body_filter  responseBody    → phase 4   ┘ (held up to response_body_limit_bytes)
 *     logging               log             → phase 5, then the event and the counters
 *
 * Block mode: an interruption answers 403 `WAF_BLOCKED` in Palisade's error format with the event
 * id (`event_id`) and no rule detail; nothing reaches the upstream (phases 1–2 run before any
 * byte goes upstream). A body past the limit gets 413 `PAYLOAD_TOO_LARGE` (reject, the default)
 * or is inspected up to the limit and passed on (inspect-partial). Detect mode: the engine runs
 * DetectionOnly; the request passes and what would have stopped it is recorded. An engine
 * failure (the engine catches its own exceptions and reports them; a throw anywhere in this
 * policy is treated the same) is counted, recorded as a `waf_error` event, and fails closed with
 * 500 `WAF_ERROR` (as ModSecurity-nginx answers an internal error: a node fault shows in the 5xx
 * rate a rollout gate watches, and no client retry turns it into a bypass) or, with
 * `error_action: FAIL_OPEN`, lets the request through uninspected. Sampling: each request is
 * inspected with probability `sample_basis_points` / 10,000; the others pass and are counted.
 *
 * Every transaction with a matched rule, a block, an engine error or a body over the limit is
 * emitted as ONE security event in `logging` (after phase 5, so it holds every rule that matched):
 * `waf_blocked`, `waf_detected` (matched and let through), `waf_error` or `request_too_large`,
 * with the rule ids, messages, tags, severities, matched variable names, anomaly scores and
 * paranoia levels ({@link wafEventDetail}; secret values redacted by {@link WafRedaction}).
 */
export function createWafPolicy(route: RouteWaf, stats: WafStats | null): Policy {
  const waf = route.policy;
  const rules = route.rules;
  const settings = rules.settings;
  const source = waf.source.config.value as { responseInspection?: boolean };
  const responseInspection = source.responseInspection === true;
  const block = waf.mode === "block";
  const maxBytes = Math.max(settings.requestBodyLimit, 1);
  const redaction = new WafRedaction(waf.secretFields);
  const sampled = waf.sampleBasisPoints < 10_000;
  const traits: PolicyTraits = Object.freeze({
    inspectsRequestBody: Object.freeze({ maxBytes }),
    ...(responseInspection
      ? { inspectsResponseBody: Object.freeze({ maxBytes: Math.max(settings.responseBodyLimit, 1) }) }
      : {}),
  });
  // A global waf policy's instance serves many routes: their counters, found once per route.
  const byRoute = new Map<string, RouteWafCounters>();
  const counters = (ex: { readonly routeId: string }): RouteWafCounters | null => {
    if (stats === null) return null;
    let c = byRoute.get(ex.routeId);
    if (c === undefined) {
      c = stats.route(ex.routeId, waf.id);
      byRoute.set(ex.routeId, c);
    }
    return c;
  };

  /** The refusal of a stopped request (block mode) or a failed engine (fail closed). */
  const refuse = (state: WafState, code: ErrorCode, reason: SecurityReason): Refusal => {
    state.done = true;
    state.eventId ??= newEventId();
    return Object.freeze({ kind: "refusal", code, reason, headers: null, consumer: null, eventId: state.eventId });
  };

  /** After a phase: an engine error is handled per the error action; an interruption stops the request. */
  const verdict = (state: WafState, it: Interruption | null): Verdict => {
    const err = state.tx?.error ?? null;
    if (err !== null && state.error === null)
      return engineError(state, err.ruleId === undefined ? err.code : `${err.code} rule ${err.ruleId}`);
    if (it === null || !block) return CONTINUE;
    state.blocked = it;
    if (it.status === 413 && it.ruleId === 0) {
      state.bodyOverLimit = true;
      return refuse(state, "PAYLOAD_TOO_LARGE", "waf_body_too_large");
    }
    return refuse(state, "WAF_BLOCKED", "waf_blocked");
  };

  /** An engine failure (or a throw in this policy): counted, recorded, and handled per the error action. */
  const engineError = (state: WafState, error: string): Verdict => {
    state.error = error;
    if (waf.failOpen) {
      state.done = true;
      return CONTINUE;
    }
    return refuse(state, "WAF_ERROR", "waf_engine_error");
  };

  // Only the error's name goes into the event: a message may quote request data.
  const thrown = (state: WafState, err: unknown): Verdict =>
    engineError(state, `WAF_POLICY_ERROR ${err instanceof Error ? err.name : typeof err}`);

  const policy: Policy = {
    type: "waf",
    id: waf.id,
    traits,

    requestHeaders(ex: PolicyExchange): Verdict {
      if (sampled && Math.random() * 10_000 >= waf.sampleBasisPoints) {
        const c = counters(ex);
        if (c !== null) c.sampledOut++;
        return CONTINUE;
      }
      const t0 = performance.now();
      let tx: Transaction;
      try {
        tx = rules.newTransaction(requestInput(ex));
      } catch (err) {
        const state = new WafState(null);
        ex.setState(policy, state);
        state.spentMs = performance.now() - t0;
        return thrown(state, err);
      }
      const state = new WafState(tx);
      ex.setState(policy, state);
      try {
        return verdict(state, tx.processRequestHeaders());
      } catch (err) {
        return thrown(state, err);
      } finally {
        state.spentMs += performance.now() - t0;
      }
    },

    requestBody(ex: PolicyExchange, body: Buffer, complete: boolean): Verdict {
      const state = ex.stateOf(policy) as WafState | undefined;
      const tx = state?.tx;
      if (state === undefined || state.done || !tx) return CONTINUE;
      const t0 = performance.now();
      try {
        if (!complete) {
          state.bodyOverLimit = true;
          if (waf.bodyLimitAction === "reject") {
            if (block) return verdict(state, BODY_LIMIT);
            tx.detectedInterruption ??= BODY_LIMIT;
          }
        }
        return verdict(state, tx.processRequestBody(latin1(body)));
      } catch (err) {
        return thrown(state, err);
      } finally {
        state.spentMs += performance.now() - t0;
      }
    },

    log(ex: LoggedExchange): void {
      const state = ex.stateOf(policy) as WafState | undefined;
      if (state === undefined) return;
      try {
        record(ex, state);
      } catch {
        // Logging must not throw: a failure here loses one event, never the request.
      }
    },
  };

  if (responseInspection) {
    policy.responseHeaders = (ex, res) => {
      const state = ex.stateOf(policy) as WafState | undefined;
      const tx = state?.tx;
      if (res.own || state === undefined || state.done || !tx) return CONTINUE;
      const t0 = performance.now();
      try {
        const headers: Header[] = [];
        const all = res.toObject();
        for (const name in all) {
          const v = all[name];
          if (Array.isArray(v)) for (const one of v) headers.push([name, String(one)]);
          else if (v !== undefined) headers.push([name, String(v)]);
        }
        return verdict(state, tx.processResponseHeaders({ status: res.status, headers }));
      } catch (err) {
        return thrown(state, err);
      } finally {
        state.spentMs += performance.now() - t0;
      }
    };
    policy.responseBody = (ex, body) => {
      const state = ex.stateOf(policy) as WafState | undefined;
      const tx = state?.tx;
      if (state === undefined || state.done || !tx) return CONTINUE;
      const t0 = performance.now();
      try {
        return verdict(state, tx.processResponseBody(latin1(body)));
      } catch (err) {
        return thrown(state, err);
      } finally {
        state.spentMs += performance.now() - t0;
      }
    };
  }

  /** Phase 5, the counters, and the transaction's event when it has something to say. */
  function record(ex: LoggedExchange, state: WafState): void {
    const tx = state.tx;
    const t0 = performance.now();
    if (tx !== null && state.error === null) tx.processLogging();
    const c = counters(ex);
    const matched = tx?.matchedRules ?? [];
    const would = !block && tx?.detectedInterruption != null;
    if (c !== null) {
      c.timed(state.spentMs + (performance.now() - t0));
      c.inspected++;
      if (state.blocked === null && !would && state.error === null) c.passed++;
      if (state.blocked !== null) c.blockedIn(ruleGroupOf(matched, state.blocked.ruleId));
      if (matched.length > 0) c.matched++;
      if (state.blocked !== null) c.blocked++;
      if (would) c.detected++;
      if (state.bodyOverLimit) c.bodyOverLimit++;
      if (state.error !== null) c.engineErrors++;
      if (matched.length > 0)
        c.hit(
          matched.map((m) => m.id),
          state.blocked !== null || would,
        );
    }
    if (matched.length === 0 && state.blocked === null && state.error === null && !state.bodyOverLimit) return;
    let type: SecurityEventType;
    let reason: SecurityReason;
    if (state.error !== null) {
      type = "waf_error";
      reason = "waf_engine_error";
    } else if (state.bodyOverLimit && (state.blocked?.ruleId ?? -1) === 0) {
      type = "request_too_large";
      reason = "waf_body_too_large";
    } else if (state.blocked !== null) {
      type = "waf_blocked";
      reason = "waf_blocked";
    } else {
      type = "waf_detected";
      reason = "waf_detected";
    }
    state.eventId ??= newEventId();
    ex.securityEvent(policy, {
      type,
      reason,
      id: state.eventId,
      waf: wafEventDetail(waf, tx, state.blocked, state.error, redaction),
    });
  }

  return policy;
}

/**
 * The request as the engine reads it: the request line as received, the header lines in order,
 * the client. An HTTP/2 request names its host in `:authority` (RFC 9113 §8.3.1), not in a Host
 * line: it becomes one, as nginx does for ModSecurity (else CRS 920280 would score every HTTP/2
 * request as missing its Host).
 */
function requestInput(ex: PolicyExchange): RequestInput {
  const f = ex.fields;
  const headers: Header[] = new Array(f.size);
  for (let i = 0; i < f.size; i++) headers[i] = [f.nameAt(i), f.valueAt(i)];
  if (ex.httpVersion === "2.0" && ex.view.authority !== "" && !f.has("host")) headers.push(["Host", ex.view.authority]);
  const socket = ex.socket as { remotePort?: number; localAddress?: string; localPort?: number } | undefined;
  return {
    method: ex.method,
    target: ex.requestTarget,
    protocol: `HTTP/${ex.httpVersion}`,
    headers,
    remoteAddress: ex.view.clientAddress,
    remotePort: socket?.remotePort ?? 0,
    ...(socket?.localAddress !== undefined ? { serverAddress: socket.localAddress } : {}),
    ...(socket?.localPort !== undefined ? { serverPort: socket.localPort } : {}),
  };
}

/** A buffer's bytes as a byte string (one char per byte): the engine's input type. */
function latin1(b: Buffer): string {
  return b.length === 0 ? "" : b.toString("latin1");
}
