import cluster from "node:cluster";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Snapshot } from "@palisade/proto";
import { AnomalyNode } from "./anomaly/anomaly-node.js";
import { compile } from "./config/compile.js";
import { WafCache } from "./config/compile-waf.js";
import type { RuntimeTable } from "./config/runtime-table.js";
import { TableHolder } from "./config/table-holder.js";
import type { SecurityEvents } from "./events/security-events.js";
import { listen } from "./listen.js";
import type { Logger } from "./log.js";
import type { NodeOptions } from "./options.js";
import { JwksDirectory } from "./policies/jwt/jwks-store.js";
import { createPolicyResources, type PolicyResources } from "./policies/registry.js";
import { ProxyServer } from "./proxy/proxy-server.js";
import { TlsListener } from "./proxy/tls-listener.js";
import { AccessLog } from "./telemetry/access-log.js";
import { NodeTracing } from "./telemetry/node-tracing.js";
import type { ShadowStats } from "./telemetry/shadow-stats.js";
import type { TrafficStats } from "./telemetry/traffic-stats.js";
import { type UpstreamSource, type UpstreamStatsRow, upstreamStatsOf } from "./telemetry/upstream-stats.js";
import type { WafStats } from "./telemetry/waf-stats.js";
import { SecureContextCache } from "./tls/compile-certificates.js";
import { PoolManager } from "./upstream/pool-manager.js";
import { UpstreamRuntime } from "./upstream/upstream-runtime.js";
import { softwareVersion } from "./version.js";

/** Where a proxy node's listeners are bound. */
export interface ProxyAddresses {
  readonly proxy: AddressInfo;
  /** `null` when `--tls-listen off`. */
  readonly tls: AddressInfo | null;
}

/**
 * The serving half of a node — live table, compile, upstream pools and state, the plain and
 * HTTPS listeners — without the control-plane stream or the status listener. A single-process
 * node wraps one (node.ts); with `--workers N` every worker runs one (cluster/worker.ts).
 */
export class ProxyNode implements UpstreamSource {
  readonly holder: TableHolder;
  readonly proxy: ProxyServer;
  readonly tls: TlsListener | null;
  /** The process's anomaly detection (recorder, guard, detector worker), `null` when not asked for. */
  readonly anomaly: AnomalyNode | null;
  readonly #options: NodeOptions;
  readonly #log: Logger;
  readonly #pools = new PoolManager();
  readonly #tlsContexts = new SecureContextCache();
  /** WAF rule sets compiled once per content hash and settings, across config versions. */
  readonly #waf = new WafCache();
  readonly #upstreams: UpstreamRuntime;
  readonly #resources: PolicyResources;
  readonly #accessLog: AccessLog | null;
  /** Trace sampling and OTLP span export, from the config's telemetry resource and the node's flags. */
  readonly tracing: NodeTracing;
  #closing: Promise<void> | undefined;

  /**
   * @param events where the proxy emits security events (policy refusals)
   * @param stats traffic counters the proxy feeds (reports, `/metrics`; a cluster worker sends them to its primary)
   * @param shadowStats shadow traffic counters of mirror policies (same)
   * @param wafStats WAF counters per route of waf policies (same)
   * @param onAnomalySummary where the detector's summaries go (the sync stream, or the cluster
   *   primary): with it the process runs anomaly detection (its worker starts now); its own
   *   detections are recorded in `events`
   */
  constructor(
    options: NodeOptions,
    log: Logger,
    events: SecurityEvents,
    stats?: TrafficStats,
    shadowStats?: ShadowStats,
    wafStats?: WafStats,
    onAnomalySummary?: (bytes: Uint8Array) => void,
  ) {
    this.#options = options;
    this.#log = log;
    const anomaly = onAnomalySummary
      ? new AnomalyNode({
          nodeId: options.nodeId,
          region: options.region,
          log,
          onSummary: onAnomalySummary,
          events,
        })
      : null;
    this.anomaly = anomaly;
    if (anomaly && stats) stats.anomaly = () => anomaly.counters();
    this.#resources = createPolicyResources({
      warn: (fields, msg) => log.warn(fields, msg),
      jwksStore: new JwksDirectory(join(options.stateDir, "jwks"), (fields, msg) => log.warn(fields, msg)),
      ...(shadowStats ? { shadowStats } : {}),
      ...(wafStats ? { wafStats } : {}),
    });
    const mirrorPools = this.#resources.mirror.pools;
    this.#upstreams = new UpstreamRuntime(log);
    this.holder = new TableHolder((table) => {
      this.#pools.retain(table.poolKeys);
      mirrorPools.retain(table.poolKeys);
      this.#tlsContexts.retain(table.tlsContextKeys);
      this.#waf.retain(table.wafKeys);
      this.#upstreams.retain(table);
      this.tracing.configure(table.telemetry);
      anomaly?.configure(table);
    });
    this.#accessLog = accessLogOf(options);
    this.proxy = new ProxyServer({
      accessLog: this.#accessLog,
      holder: this.holder,
      pools: this.#pools,
      log,
      events,
      ...(stats ? { stats } : {}),
      trustedProxies: options.trustedProxies,
      ...(anomaly ? { recorders: [anomaly.recorder], guards: [anomaly.guard] } : {}),
      headersTimeoutMs: options.clientHeaderTimeoutMs,
      requestTimeoutMs: options.clientRequestTimeoutMs,
      keepAliveTimeoutMs: options.clientIdleTimeoutMs,
      maxHeaderBytes: options.maxHeaderBytes,
      maxHeaders: options.maxHeaders,
      maxBodyBytes: options.maxBodyBytes,
    });
    const proxy = this.proxy;
    this.tracing = new NodeTracing(
      proxy,
      options,
      { id: options.nodeId, region: options.region, labels: options.labels },
      {
        "service.name": "palisade-dp",
        "service.version": softwareVersion(),
        "service.instance.id": cluster.isWorker ? `${options.nodeId}/${cluster.worker?.id}` : options.nodeId,
        "palisade.node.id": options.nodeId,
        "palisade.node.region": options.region,
      },
      log,
    );
    if (stats) stats.traces = () => this.tracing.counters();
    anomaly?.start();
    this.tls =
      options.tlsListen === null
        ? null
        : new TlsListener({
            holder: this.holder,
            http1: (socket) => proxy.accept(socket),
            http2: () => proxy.h2,
            log,
            handshakeTimeoutMs: options.clientHeaderTimeoutMs,
          });
  }

  /**
   * Compiles a snapshot with this node's policy types and long-lived resources (pure apart from
   * the shared caches; nothing is swapped).
   * @param previous the live table, reused for unchanged resources (see CompileOptions.previous)
   * @param changedRoutes route ids a delta touched (CompileOptions.changedRoutes)
   * @throws CompileError when the snapshot is refused
   */
  compile(snapshot: Snapshot, previous?: RuntimeTable, changedRoutes?: ReadonlySet<string>): RuntimeTable {
    const log = this.#log;
    return compile(snapshot, {
      policyTypes: this.#options.policyTypes,
      resources: this.#resources,
      warn: (fields, msg) => log.warn(fields, msg),
      tlsContexts: this.#tlsContexts,
      waf: this.#waf,
      upstreams: this.#upstreams,
      ...(previous ? { previous } : {}),
      ...(changedRoutes ? { changedRoutes } : {}),
    });
  }

  /** The live table's upstreams: target health, breaker and retry figures (`palisade_upstream_*`). */
  upstreamStats(): UpstreamStatsRow[] {
    return upstreamStatsOf(this.holder.table?.upstreams.values());
  }

  /**
   * Binds the proxy (and HTTPS) listeners.
   * @param announce log each `listening` line (false in cluster workers: the primary does it once)
   * @throws the listen error; nothing stays bound
   */
  async listen(announce = true): Promise<ProxyAddresses> {
    const o = this.#options;
    const log = this.#log;
    try {
      const proxy = await listen(this.proxy.server, o.listen, "proxy", log, announce);
      const tls =
        this.tls !== null && o.tlsListen !== null
          ? await listen(this.tls.server, o.tlsListen, "tls", log, announce)
          : null;
      return { proxy, tls };
    } catch (err) {
      await this.tls?.close();
      await this.proxy.close(0);
      throw err;
    }
  }

  /**
   * Graceful stop: both listeners stop accepting, in-flight requests finish within `deadlineMs`
   * (see ProxyServer.close), then health checks stop, the pools close and the policies' shared
   * clients (JWKS fetcher, introspection agent) close.
   */
  close(deadlineMs: number): Promise<void> {
    this.#closing ??= (async () => {
      const started = Date.now();
      const tlsClosed = this.tls?.close();
      await this.proxy.close(deadlineMs);
      this.tls?.destroyConnections();
      await tlsClosed;
      this.#upstreams.close();
      await this.#pools.close(Math.max(0, deadlineMs - (Date.now() - started)));
      await this.#resources.close();
      await this.#accessLog?.close();
      await this.tracing.close();
      await this.anomaly?.stop();
    })();
    return this.#closing;
  }
}

/**
 * The access log of `--access-log` (null when `off`). A cluster worker writes its own file,
 * `<file>.worker-<id>` (two processes appending to and rotating one file would lose lines);
 * on stdout the lines of all workers interleave whole (each is one write of one line).
 */
function accessLogOf(o: NodeOptions): AccessLog | null {
  if (o.accessLog === "off") return null;
  const worker = cluster.isWorker ? cluster.worker?.id : undefined;
  const file =
    o.accessLogFile === null ? null : worker === undefined ? o.accessLogFile : `${o.accessLogFile}.worker-${worker}`;
  return new AccessLog({
    format: o.accessLog,
    file,
    sampleRatio: o.accessLogSample,
    rotateBytes: o.accessLogRotateBytes,
    maxFiles: o.accessLogMaxFiles,
    node: o.nodeId,
  });
}
