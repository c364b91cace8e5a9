import type { PhaseOutcome, Policy } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";

/**
 * `response_body_filter`: for a route whose policies inspect response bodies
 * (`inspectsResponseBody`): the loop holds the upstream's answer — head and body — until the
 * largest size a policy asks for, or the body's end, and this runs the `responseBody` hooks in
 * chain order on what was held (each sees at most its own size; `complete` says whether that was
 * the whole body). Nothing reached the client yet. Not called for other routes: their answers
 * stream as they come.
 * @returns `undefined` to send the answer as it is, or a hook's answer that replaces it (a
 *   refusal as the request's Failure, emitted as a security event), or a promise of either
 */
export function responseBodyFilter(
  ex: Exchange,
  body: Buffer,
  complete: boolean,
): PhaseOutcome | Promise<PhaseOutcome> {
  return inspect(ex, ex.route!.hooks.responseBody, 0, body, complete);
}

function inspect(
  ex: Exchange,
  policies: readonly Policy[],
  from: number,
  body: Buffer,
  complete: boolean,
): PhaseOutcome | Promise<PhaseOutcome> {
  for (let i = from; i < policies.length; i++) {
    const policy = policies[i]!;
    const max = policy.traits.inspectsResponseBody!.maxBytes;
    const seen = body.length > max ? body.subarray(0, max) : body;
    const v = policy.responseBody!(ex, seen, complete && seen === body);
    if (v instanceof Promise)
      return v.then((o) => (o === undefined ? inspect(ex, policies, i + 1, body, complete) : ex.answerOf(policy, o)));
    if (v !== undefined) return ex.answerOf(policy, v);
  }
  return undefined;
}
