import { Client } from "undici";
import type { UpstreamCounters } from "./dispatch/upstream-call.js";
import type { PoolSpec } from "./pool-manager.js";
import type { TargetHealth } from "./target-health.js";
import type { ActiveCheckSettings } from "./upstream-settings.js";

/** What an active check probes: one target. */
export interface ProbeTarget {
  readonly pool: PoolSpec;
  /** The `Host` header of probes. */
  readonly hostHeader: string;
  readonly health: TargetHealth;
}

function tick(c: ActiveHealthChecker): void {
  c.probe();
}

/**
 * Active health check of one target: every `intervalMs` (the first after a random part of it,
 * so that targets and workers do not probe in step) an HTTP `GET path` on a connection of its
 * own, `timeoutMs` for the whole probe. A 2xx or 3xx answer is a success; anything else, a
 * timeout or a connection failure is a failure. Results go to the target's {@link TargetHealth},
 * which applies the thresholds.
 */
export class ActiveHealthChecker {
  readonly #target: ProbeTarget;
  readonly #settings: ActiveCheckSettings;
  readonly #client: Client;
  readonly #counters: UpstreamCounters | null;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** @param counters the upstream's counters, where probe results are counted (`null`: not counted) */
  constructor(target: ProbeTarget, settings: ActiveCheckSettings, counters: UpstreamCounters | null = null) {
    this.#target = target;
    this.#settings = settings;
    this.#counters = counters;
    const tls = target.pool.tls;
    this.#client = new Client(target.pool.origin, {
      connect:
        tls === null
          ? { timeout: settings.timeoutMs }
          : {
              timeout: settings.timeoutMs,
              rejectUnauthorized: tls.rejectUnauthorized,
              ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
              ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
            },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      keepAliveTimeout: Math.max(1_000, settings.intervalMs * 2),
    });
  }

  /** Starts probing. */
  start(): void {
    this.#schedule(Math.random() * this.#settings.intervalMs);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(tick, ms, this);
    this.#timer.unref();
  }

  /** One probe now; the next is scheduled when it is over. */
  probe(): void {
    const s = this.#settings;
    const t = this.#target;
    this.#client
      .request({
        path: s.path,
        method: "GET",
        headers: { host: t.hostHeader, "user-agent": "palisade-health-check" },
        signal: AbortSignal.timeout(s.timeoutMs),
      })
      .then(
        async (res) => {
          await res.body.dump();
          const ok = res.statusCode >= 200 && res.statusCode < 400;
          if (this.#stopped) return;
          this.#count(ok);
          t.health.recordProbe(ok, s.healthyThreshold, s.unhealthyThreshold, `status ${res.statusCode}`);
        },
        (err: { code?: string; message?: string }) => {
          if (this.#stopped) return;
          this.#count(false);
          t.health.recordProbe(false, s.healthyThreshold, s.unhealthyThreshold, err.code ?? err.message);
        },
      )
      .finally(() => this.#schedule(s.intervalMs));
  }

  #count(ok: boolean): void {
    const c = this.#counters;
    if (c === null) return;
    if (ok) c.checksOk++;
    else c.checksFailed++;
  }

  /** Stops probing and closes the probe connection. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    void this.#client.destroy().catch(() => {});
  }
}
