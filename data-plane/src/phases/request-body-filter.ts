import { Failure } from "../errors.js";
import type { PhaseOutcome, Policy } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";

const BODY_TOO_LARGE = new Failure("PAYLOAD_TOO_LARGE", null, "body_too_large");
const NO_BODY: Buffer = Buffer.alloc(0);

/**
 * `request_body_filter`: runs once `request_filter` let the request through. Settles the body
 * limit (nginx `client_max_body_size`): the route's as its policies and its own `max_body_bytes`
 * decide it (config/compile.ts), else the table's `RequestSettings.max_body_bytes`, else the
 * node's `--max-body-bytes` (8 MiB); 0 at the route, settings or node level means none. A
 * declared Content-Length over it is refused here, before a byte is read (413, a security event);
 * a body of undeclared length (chunked, HTTP/2 without Content-Length) is counted as it streams
 * and cut at the limit (the engine's `RequestBody.setLimit`: the chunk that crosses it is never
 * forwarded, the upstream exchange is aborted, the client gets 413 if its answer has not started).
 * Bodies are streamed, never buffered, unless a policy of the route inspects them
 * (`inspectsRequestBody`): then the first bytes, up to the largest size one asks for, are read
 * before anything goes upstream and handed to the `requestBody` hooks in chain order; the first
 * answer refuses the request (nothing reached the upstream). A request without a body, and an
 * upgrade request (its bytes are the tunnel's), hand those hooks an empty, complete body: an
 * inspector's body phase runs on every request (a WAF's phase 2 holds most of its rules).
 * @returns `undefined` to go on (the body to forward is on `ex.forwardBody`), a Failure or a
 *   policy's Reply, or a promise of one while the body is read for inspection
 */
export function requestBodyFilter(ex: Exchange): PhaseOutcome | Promise<PhaseOutcome> {
  const body = ex.downstream.body;
  const route = ex.route!;
  if (body === null || ex.upgrade !== null) {
    const inspectors = route.hooks.requestBody;
    return inspectors.length === 0 ? undefined : inspect(ex, inspectors, 0, NO_BODY, true);
  }
  let limit = route.bodyLimit;
  if (limit === null) {
    const fallback = ex.table!.maxBodyBytes ?? ex.services.limits.maxBodyBytes;
    limit = fallback > 0 ? fallback : -1;
  }
  ex.bodyLimit = limit;
  if (limit >= 0) {
    const declared = body.declaredLength;
    if (declared !== null && declared > limit) return BODY_TOO_LARGE;
    body.setLimit(limit);
  }
  ex.forwardBody = body;
  const hooks = route.hooks;
  if (hooks.requestBody.length === 0) return undefined;
  return new Promise<PhaseOutcome>((resolve) => {
    body.peek(hooks.inspectRequestBytes, (bytes, complete) => {
      resolve(inspect(ex, hooks.requestBody, 0, bytes, complete));
    });
  });
}

/** Runs the `requestBody` hooks from `from` on; the first answer ends it. */
function inspect(
  ex: Exchange,
  policies: readonly Policy[],
  from: number,
  bytes: Buffer,
  complete: boolean,
): PhaseOutcome | Promise<PhaseOutcome> {
  for (let i = from; i < policies.length; i++) {
    const policy = policies[i]!;
    const max = policy.traits.inspectsRequestBody!.maxBytes;
    const seen = bytes.length > max ? bytes.subarray(0, max) : bytes;
    const v = policy.requestBody!(ex, seen, complete && seen === bytes);
    if (v instanceof Promise)
      return v.then((o) => (o === undefined ? inspect(ex, policies, i + 1, bytes, complete) : ex.answerOf(policy, o)));
    if (v !== undefined) return ex.answerOf(policy, v);
  }
  return undefined;
}
