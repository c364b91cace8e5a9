import type { Failure } from "../errors.js";
import { FieldNameSet } from "../http/bytes.js";
import { HOP_BY_HOP_FIELDS } from "../http/headers.js";
import { ResponseFields } from "../http/response-fields.js";
import type { ResponseHead } from "../http/response-parser.js";
import type { PhaseOutcome, Policy, Reply } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";
import { viaValue } from "../proxy/forwarded.js";
import { connectionTokens } from "../proxy/hop-by-hop.js";

/**
 * The upstream's fields never copied to the client: hop-by-hop (RFC 9110 §7.6.1: the writer
 * frames the answer itself), and `Via` and `X-Request-Id`, which the node writes itself.
 */
const RESPONSE_DROP = new FieldNameSet([...HOP_BY_HOP_FIELDS, "via", "x-request-id"]);

/**
 * `response_filter`: runs when the upstream's final response head arrives (status ≥ 200, and the
 * 101 of a WebSocket upgrade), before anything is sent. The upstream's field lines are copied to
 * the client byte for byte, except the hop-by-hop fields and those its `Connection` names (RFC
 * 9110 §7.6.1); `Via` gets this hop appended (RFC 9110 §7.6.3; read from the upstream's head only
 * here); the chain's `responseHeaders` hooks run in order and edit the answer (security headers
 * as a constant block compiled with the config, CORS, `RateLimit-*`; a `headers` policy may
 * remove `Via`); `X-Request-Id` is set. While the node drains, the writer adds `Connection:
 * close` (HTTP/1.x).
 * @returns the header section to write, or a hook's answer that replaces the upstream's response
 *   (a refusal as the request's Failure, emitted as a security event)
 */
export function responseFilter(ex: Exchange, head: ResponseHead): ResponseFields | Failure | Reply {
  const res = new ResponseFields(head.status, head, RESPONSE_DROP);
  if (head.connectionNamesFields) for (const name of connectionTokens(head.get("connection"))) res.remove(name);
  res.set("via", viaValue(head.get("via"), "1.1"));
  const answer = runHooks(ex, res, null);
  res.set("x-request-id", ex.requestId);
  return answer ?? res;
}

/**
 * `response_filter` on the node's own answers (fail_to_proxy's errors, a policy's reply): the
 * hooks of the request's chain (the global policies' when no route matched) decorate it — a
 * browser must be able to read a 401 (CORS), HSTS applies to every answer — except the hook of
 * the policy that refused or answered, which does not decorate its own answer. A request refused
 * before it could be read has no policy context. Answers of hooks are ignored here (it already
 * is an answer). `X-Request-Id` is set.
 */
export function decorateOwnAnswer(ex: Exchange, res: ResponseFields): void {
  if (ex.view.path !== "") runHooks(ex, res, ex.deniedBy);
  res.set("x-request-id", ex.requestId);
}

function runHooks(ex: Exchange, res: ResponseFields, except: Policy | null): PhaseOutcome {
  const hooks = ex.route?.hooks.responseHeaders ?? ex.table?.globalHooks.responseHeaders;
  if (hooks === undefined) return undefined;
  for (let i = 0; i < hooks.length; i++) {
    const p = hooks[i]!;
    if (p === except) continue;
    const v = p.responseHeaders!(ex, res);
    if (v !== undefined && !res.own) return ex.answerOf(p, v);
  }
  return undefined;
}
