import type { Exchange } from "../proxy/exchange.js";

/**
 * `logging`: runs exactly once per request when the exchange is over (answered, cut, or the
 * client went away; a WebSocket tunnel when it closes), whatever happened before. Releases the
 * balancer slot a failed or unsent request still holds, counts the request in the node's traffic
 * stats (status class, latency bucket, error code: no allocation), runs the chain's `log` hooks
 * and the node's recorders (the anomaly detector's record), and writes the access log line (debug
 * level): method, canonical path (never the query: it may hold a credential), route, client
 * address, status (499 when the client closed first, 101 for a tunnel), upstream target,
 * duration in ms, error code, consumer id and authentication methods. Never logs header values.
 */
export function logging(ex: Exchange): void {
  const target = ex.target;
  if (ex.targetHeld) {
    ex.targetHeld = false;
    ex.upstream.balancer.release(target!.index);
  }
  const status = ex.status;
  const ms = performance.now() - ex.startedAt;
  ex.services.stats?.record(status, ms, ex.errorCode);
  const hooks = ex.route?.hooks.log;
  if (hooks !== undefined) for (let i = 0; i < hooks.length; i++) hooks[i]!.log!(ex);
  const recorders = ex.services.recorders;
  for (let i = 0; i < recorders.length; i++) recorders[i]!.log(ex);
  const log = ex.services.log;
  if (!log.isLevelEnabled("debug")) return;
  log.debug(
    {
      request_id: ex.requestId,
      method: ex.method,
      path: ex.view.path || ex.downstream.head.target.split("?", 1)[0],
      route: ex.route?.id,
      client: ex.view.clientAddress || ex.downstream.socket.remoteAddress,
      status,
      upstream: target?.origin,
      upstream_status: ex.upstreamStatus || undefined,
      error: ex.errorCode,
      consumer: ex.consumer?.id,
      auth: ex.authMethods?.join("+"),
      ms: Math.round(ms * 100) / 100,
    },
    "request",
  );
}
