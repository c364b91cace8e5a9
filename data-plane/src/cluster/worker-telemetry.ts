import type { ShadowStats } from "../telemetry/shadow-stats.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { UpstreamSource } from "../telemetry/upstream-stats.js";
import type { WafStats } from "../telemetry/waf-stats.js";
import { type FromWorker, TELEMETRY_INTERVAL_MS } from "./messages.js";

type TelemetryMessage = Extract<FromWorker, { t: "telemetry" }>;

/** The `telemetry` message of a worker's counters now (plain arrays and numbers: a copy). */
export function telemetryMessage(
  stats: TrafficStats,
  shadow: ShadowStats,
  waf: WafStats | null = null,
  upstreams: UpstreamSource | null = null,
): TelemetryMessage {
  return {
    t: "telemetry",
    traffic: stats.counters(),
    activeConnections: stats.activeConnections,
    shadow: shadow.raw(),
    waf: waf === null ? [] : waf.wafRaw(),
    upstreams: upstreams === null ? [] : upstreams.upstreamStats(),
  };
}

/**
 * Sends a worker's cumulative counters to the primary every TELEMETRY_INTERVAL_MS (an `unref`ed
 * timer: it never keeps a draining worker alive), skipping periods where nothing changed
 * (requests, connections, shadow counts, upstream health); {@link flush} gives the final message (after draining). Reading the
 * counters is off the request path; the request path only increments numbers.
 */
export class WorkerTelemetrySender {
  readonly #stats: TrafficStats;
  readonly #shadow: ShadowStats;
  readonly #waf: WafStats | null;
  readonly #upstreams: UpstreamSource | null;
  readonly #send: (msg: TelemetryMessage) => void;
  #timer: NodeJS.Timeout | undefined;
  #lastSignature = "";

  /**
   * @param send delivers one message to the primary (IPC)
   * @param upstreams the worker's upstream health and breaker figures
   */
  constructor(
    stats: TrafficStats,
    shadow: ShadowStats,
    send: (msg: TelemetryMessage) => void,
    waf: WafStats | null = null,
    upstreams: UpstreamSource | null = null,
  ) {
    this.#stats = stats;
    this.#shadow = shadow;
    this.#waf = waf;
    this.#upstreams = upstreams;
    this.#send = send;
  }

  /** Starts the periodic sends. */
  start(): void {
    this.#timer ??= setInterval(() => this.tick(), TELEMETRY_INTERVAL_MS);
    this.#timer.unref();
  }

  /** One period: sends when something changed since the last send. */
  tick(): void {
    const msg = telemetryMessage(this.#stats, this.#shadow, this.#waf, this.#upstreams);
    const signature = signatureOf(msg);
    if (signature === this.#lastSignature) return;
    this.#lastSignature = signature;
    this.#send(msg);
  }

  /**
   * Stops the timer and returns the final counters, for the caller to send and wait for their
   * delivery before the worker exits.
   */
  flush(): TelemetryMessage {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const msg = telemetryMessage(this.#stats, this.#shadow, this.#waf, this.#upstreams);
    this.#lastSignature = signatureOf(msg);
    return msg;
  }
}

/** Every counter that can move, as one string (requests cover latency, status and event counts). */
function signatureOf(m: TelemetryMessage): string {
  let s = `${m.traffic.requests}/${m.activeConnections}`;
  for (const r of m.shadow) s += `/${r.routeId}:${r.mirrored}:${r.compared}:${r.dropped.join(",")}`;
  // Sampled-out requests are requests too; the rest move with `inspected`.
  for (const w of m.waf) s += `/${w.routeId}:${w.inspected}:${w.sampledOut}`;
  // Probes, ejections and breaker changes move without client requests.
  for (const u of m.upstreams)
    s += `/${u.upstream}:${u.checksOk}:${u.checksFailed}:${u.ejections}:${u.overflows}:${u.breakerOpen}:${Object.values(u.targets).join(",")}`;
  return s;
}
