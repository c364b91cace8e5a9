import type { Exchange } from "../proxy/exchange.js";
import type { SpanExport } from "../telemetry/span-exporter.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";

/**
 * `logging`: runs exactly once per request when the exchange is over (answered, cut, or the
 * client went away; a WebSocket tunnel when it closes), whatever happened before. Releases the
 * balancer slot a failed or unsent request still holds, counts the request in the node's traffic
 * stats (status class, latency bucket, error code: no allocation; per route, upstream and status
 * class its latency, upstream latency and body bytes; the policy decisions: `allow` for each
 * request policy that let it go on, `deny` with the refusal's reason), runs the chain's `log`
 * hooks and the node's recorders (the anomaly detector's record), writes the access log
 * (`--access-log`, info level: ECS JSON or Combined Log Format, telemetry/access-log.ts) and,
 * without one, the debug line: method, canonical path (never the query: it may hold a credential), route, client
 * address, status (499 when the client closed first, 101 for a tunnel), upstream target,
 * duration in ms, error code, consumer id and authentication methods. Never logs header values.
 * With span export on (`trace_export`, telemetry/node-tracing.ts), a sampled request's server
 * span goes to the exporter's queue; with it off this costs one property read.
 */
export function logging(ex: Exchange): void {
  const target = ex.target;
  if (ex.targetHeld) {
    ex.targetHeld = false;
    ex.upstream.balancer.release(target!.index);
  }
  const status = ex.status;
  const ms = performance.now() - ex.startedAt;
  const stats = ex.services.stats;
  if (stats !== undefined) {
    stats.record(status, ms, ex.errorCode);
    const up = ex.upstreamStartedAt;
    const upMs = up < 0 ? -1 : (ex.upstreamEndedAt < 0 ? performance.now() : ex.upstreamEndedAt) - up;
    stats.routes.record(ex.route?.id ?? "", ex.upstreamId, status, ms, upMs, ex.requestBytes, ex.responseBytes);
    countDecisions(ex, stats);
  }
  const hooks = ex.route?.hooks.log;
  if (hooks !== undefined) for (let i = 0; i < hooks.length; i++) hooks[i]!.log!(ex);
  const recorders = ex.services.recorders;
  for (let i = 0; i < recorders.length; i++) recorders[i]!.log(ex);
  const spans = ex.services.spans;
  if (spans != null && ex.trace.sampled) recordSpan(ex, spans, ms);
  const access = ex.services.accessLog;
  if (access != null) {
    const head = ex.downstream.head;
    access.log({
      requestId: ex.requestId,
      method: ex.method,
      httpVersion: head.version === "2.0" ? "2" : head.version,
      logPath: ex.view.path || head.target.split("?", 1)[0]!,
      status,
      routeId: ex.route?.id ?? "",
      upstreamId: ex.upstreamId,
      consumerId: ex.consumer?.id ?? null,
      clientAddress: ex.view.clientAddress || ex.downstream.socket.remoteAddress || "",
      traceId: ex.trace.traceId,
      durationMs: ms,
      requestBytes: ex.requestBytes,
      responseBytes: ex.responseBytes,
      errorCode: ex.errorCode,
      referer: access.combined ? head.get("referer") : undefined,
      userAgent: access.combined ? head.get("user-agent") : undefined,
    });
    return;
  }
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

/**
 * `palisade_policy_decisions_total`: a request refused for a security reason counts one `deny`
 * of the refusing policy's type (`proxy` for the node's own checks) with its reason; each request
 * policy of the route's chain before the refusing one (all of them when the request was not
 * refused by one) counts an `allow`. A request refused by the proxy before the policies ran
 * counts no allow.
 */
function countDecisions(ex: Exchange, stats: TrafficStats): void {
  const reason = ex.securityReason;
  const denier = ex.deniedBy;
  if (reason !== null) stats.decision(denier?.type ?? "proxy", reason);
  const route = ex.route;
  if (route === undefined || (reason !== null && denier === null)) return;
  const chain = route.hooks.requestHeaders;
  for (let i = 0; i < chain.length; i++) {
    const p = chain[i]!;
    if (p === denier) return;
    stats.decision(p.type, null);
  }
}

/** The server span of a sampled request: its trace ids, HTTP attributes and times (epoch ms). */
function recordSpan(ex: Exchange, spans: SpanExport, ms: number): void {
  const t = ex.trace;
  const head = ex.downstream.head;
  const startMs = performance.timeOrigin + ex.startedAt;
  spans.span({
    traceId: t.traceId,
    spanId: t.spanId,
    parentSpanId: t.parentSpanId,
    traceState: t.traceState,
    method: ex.method,
    path: ex.view.path || head.target.split("?", 1)[0]!,
    scheme: ex.tls ? "https" : "http",
    protocolVersion: head.version === "2.0" ? "2" : head.version,
    serverAddress: ex.view.host,
    status: ex.status,
    route: ex.route?.name || ex.route?.id || "",
    upstreamId: ex.upstreamId,
    errorCode: ex.errorCode,
    startMs,
    endMs: startMs + ms,
  });
}
