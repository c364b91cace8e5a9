import { type RouteAction, redirectLocation } from "../config/route-action.js";
import type { CompiledTarget } from "../config/runtime-table.js";
import { Failure } from "../errors.js";
import type { Reply } from "../policies/contract.js";
import type { Exchange } from "../proxy/exchange.js";
import { hashKeyOf } from "../upstream/hash-key.js";

const NO_TARGET = new Failure("UPSTREAM_UNAVAILABLE", null, "upstream has no target");

/**
 * `upstream_peer`: picks the target of the request's upstream — the route's, or the one its
 * `canary` policy chose in `request_filter` — with its balancer (smooth weighted round-robin,
 * least requests with two random choices, or a ring hash of the request's `hash_on` key: a
 * header, a cookie, or the canonical view's client address), skipping ejected and unhealthy
 * targets unless none is left (panic mode). The balancer counts the request on the target until
 * the upstream client's attempt takes the release over (or `logging` releases it). A retry picks
 * again from the upstream client, excluding the target that failed.
 * A route with an action (issue 22) has no upstream: here, once every policy of its chain let
 * the request through (authentication, IP rules, rate limits, WAF on headers and body, as Kong
 * and Envoy run them before a redirect or a direct response), it answers itself instead.
 * @returns the target, the route's own answer (a redirect or its `direct_response`), or a
 *   Failure (`UPSTREAM_UNAVAILABLE`) when the upstream has no target
 */
export function upstreamPeer(ex: Exchange): CompiledTarget | Failure | Reply {
  const action = ex.route!.action;
  if (action !== null && ex.upstreamChoice === null) return actionReply(ex, action);
  const upstream = ex.upstream;
  const hashOn = upstream.hashOn;
  if (hashOn !== null) ex.hashKey = hashKeyOf(hashOn, ex.fields, ex.view.clientAddress);
  const i = upstream.balancer.pick(ex.hashKey, -1);
  if (i < 0) return NO_TARGET;
  const target = upstream.targets[i]!;
  ex.target = target;
  ex.targetHeld = true;
  return target;
}

/** The answer of a route's action: a redirect to its `Location`, or the fixed response. */
function actionReply(ex: Exchange, action: RouteAction): Reply {
  if (action.kind === "direct_response")
    return { kind: "reply", status: action.status, headers: action.headers, body: action.body };
  const view = ex.view;
  const location = redirectLocation(action, {
    tls: ex.tls,
    host: view.host,
    authority: view.authority,
    path: view.path,
    query: ex.query,
    matched: ex.matchedPath ?? { kind: "prefix", value: "/" },
    params: ex.pathParams,
  });
  return { kind: "reply", status: action.status, headers: { location } };
}
