import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { AnomalyUplink } from "./anomaly/anomaly-uplink.js";
import { CompileError } from "./config/compile-error.js";
import { LastKnownGood, readSnapshotFile } from "./config/last-known-good.js";
import type { AppliedSource } from "./config/table-holder.js";
import { SecurityEvents } from "./events/security-events.js";
import { listen } from "./listen.js";
import { createLogger, type Logger } from "./log.js";
import { formatHostPort, type NodeOptions } from "./options.js";
import { ProxyNode } from "./proxy-node.js";
import { StatusServer } from "./status/status-server.js";
import { ConfigApplier, type UpdateApplier } from "./sync/config-applier.js";
import { NodeCredentials } from "./sync/node-credentials.js";
import { SyncClient } from "./sync/sync-client.js";
import { createMetricsRegistry } from "./telemetry/metrics.js";
import { NodeReporter } from "./telemetry/node-reporter.js";
import { SecurityPipeline } from "./telemetry/security-pipeline.js";
import { ShadowStats } from "./telemetry/shadow-stats.js";
import { SyncStats } from "./telemetry/sync-stats.js";
import { TrafficStats } from "./telemetry/traffic-stats.js";
import { WafStats } from "./telemetry/waf-stats.js";
import { softwareVersion } from "./version.js";

/** A running node. */
export interface RunningNode {
  readonly log: Logger;
  /** The applied config (version, hash, time). */
  readonly holder: AppliedSource;
  /** The node's security event channel (in cluster mode: the workers' events, gathered). */
  readonly events: SecurityEvents;
  /** Bound proxy address (the real port when 0 was asked). */
  readonly proxyAddress: AddressInfo;
  /** Bound HTTPS proxy address, `null` when `--tls-listen off`. */
  readonly tlsAddress: AddressInfo | null;
  /** Bound status address. */
  readonly statusAddress: AddressInfo;
  /**
   * Rolling restart of the proxy workers (`--workers` ≥ 2 only; SIGHUP in palisade-dp): each is
   * replaced by a new one that serves the committed config before the old one drains.
   */
  readonly restartWorkers?: () => Promise<{ readonly restarted: number; readonly stopped: boolean }>;
  /**
   * Graceful stop: stop accepting, let in-flight requests finish for up to `deadlineMs`
   * (default `--shutdown-timeout-ms`), then close the config stream, the upstream pools and the
   * policies' shared clients (JWKS, introspection).
   */
  close(deadlineMs?: number): Promise<void>;
}

/** The identity a node announces in its hello. */
export function nodeIdentity(options: NodeOptions) {
  return {
    nodeId: options.nodeId,
    region: options.region,
    labels: options.labels,
    softwareVersion: softwareVersion(),
    policyTypes: [...options.policyTypes].sort(),
  };
}

/**
 * The node's security event channel: every event is one info line (`"msg":"security event"`)
 * until a SIEM shipper lands. In cluster mode the primary holds it and the workers' events are
 * re-emitted into it (cluster/worker.ts), so counts, recent events and log lines are per node.
 */
export function nodeSecurityEvents(log: Logger): SecurityEvents {
  const events = new SecurityEvents();
  events.subscribe((batch) => {
    if (!log.isLevelEnabled("info")) return;
    for (const e of batch) log.info({ security_event: e }, "security event");
  });
  return events;
}

/**
 * The node's security-event pipeline (telemetry/security-pipeline.ts) on its channel: events to
 * the control plane once the config stream is open, and to the SIEM sinks of the applied config
 * (plus `--siem-sinks-file`), spooled under `<state-dir>/siem`.
 */
export function nodeSecurityPipeline(
  options: NodeOptions,
  log: Logger,
  events: SecurityEvents,
  uplink: () => SyncClient | undefined,
): SecurityPipeline {
  return new SecurityPipeline({
    events,
    log,
    node: { id: options.nodeId, region: options.region, labels: options.labels },
    softwareVersion: softwareVersion(),
    spoolDir: join(options.stateDir, "siem"),
    localSinks: options.siemSinks,
    uplink,
  });
}

/**
 * The node's identity on the sync port: its certificate (joining with `--join-token` first when
 * it has none), or `undefined` with `--sync-insecure` (logged loudly: the local demo only).
 * @throws when the control plane refuses the join (used, expired or foreign token)
 */
export async function syncCredentials(options: NodeOptions, log: Logger): Promise<NodeCredentials | undefined> {
  if (options.syncInsecure) {
    log.warn(
      { control_plane: options.controlPlanes.map(formatHostPort).join(",") },
      "INSECURE SYNC: plain gRPC to the control plane, no TLS and no node identity. Use only for the local demo.",
    );
    return undefined;
  }
  return NodeCredentials.obtain({
    stateDir: options.stateDir,
    nodeId: options.nodeId,
    region: options.region,
    addresses: options.controlPlanes.map(formatHostPort),
    caCertPath: options.caCert,
    joinToken: options.joinToken,
    log,
  });
}

/** What {@link startSync} wires into the config stream. */
export interface SyncWiring {
  /** What the node serves (the hello's applied version and hash). */
  readonly holder: AppliedSource;
  /** Applies each update and answers ACK/NACK. */
  readonly applier: UpdateApplier;
  /** Builds the periodic NodeReport. */
  readonly reporter: NodeReporter;
  /** Counts the update bytes received (`/metrics`). */
  readonly syncStats: SyncStats;
  /** The node's certificate (mTLS), or undefined with `--sync-insecure`. */
  readonly credentials: NodeCredentials | undefined;
  /** Anomaly summaries up, decisions down. */
  readonly anomaly?: AnomalyUplink;
}

/**
 * Opens the config stream to the control plane, the same way for one process and for a cluster
 * primary: hello with the node's identity, updates to `applier`, a report every
 * `--report-interval` ms, and the client certificate renewed before it expires (reconnecting
 * with the new one). The stream reconnects by itself (jittered backoff) until closed.
 */
export function startSync(options: NodeOptions, log: Logger, w: SyncWiring): SyncClient {
  const creds = w.credentials;
  const sync = new SyncClient({
    addresses: options.controlPlanes.map(formatHostPort),
    identity: nodeIdentity(options),
    holder: w.holder,
    applier: w.applier,
    log,
    ...(creds ? { credentials: () => creds.channelCredentials() } : {}),
    reportIntervalMs: options.reportIntervalMs,
    report: () => w.reporter.next(),
    onUpdateBytes: (n) => {
      w.syncStats.bytes += n;
    },
    ...(w.anomaly ? { onAnomalyDecisions: (u) => w.anomaly!.decisions(u) } : {}),
  });
  w.anomaly?.attach(sync);
  sync.start();
  creds?.startRenewal(() => sync.reconnect());
  return sync;
}

/** Logs the node's start line. */
export function logStarted(options: NodeOptions, log: Logger, extra: Record<string, unknown> = {}): void {
  log.info(
    {
      node_id: options.nodeId,
      region: options.region,
      version: softwareVersion(),
      policies: [...options.policyTypes],
      control_plane: options.configFile === undefined ? options.controlPlanes.map(formatHostPort).join(",") : null,
      config_file: options.configFile,
      ...extra,
    },
    "node started",
  );
}

/**
 * Starts a single-process data-plane node (`--workers 1`): the proxy and status listeners (each
 * logs its `listening` line once bound), the upstream pools and the config stream to the control
 * plane. The node serves 503 NO_CONFIG until the first config is applied.
 * @param log default: JSON to stdout at `options.logLevel`
 * @throws the listen error when a port cannot be bound (everything started is closed first)
 */
export async function startNode(
  options: NodeOptions,
  log: Logger = createLogger(options.logLevel),
): Promise<RunningNode> {
  const events = nodeSecurityEvents(log);
  const stats = new TrafficStats();
  const shadow = new ShadowStats();
  const waf = new WafStats();
  const syncStats = new SyncStats();
  const anomaly = new AnomalyUplink(log, (c) => node.anomaly?.guard.apply(c.full, c.decisions, c.lifted));
  const node = new ProxyNode(options, log, events, stats, shadow, waf, (bytes) => anomaly.summary(bytes));
  const holder = node.holder;
  let sync: SyncClient | undefined;
  const pipeline = nodeSecurityPipeline(options, log, events, () => sync);
  holder.watch((table) => void pipeline.configure(table.telemetry, table.version));
  const lkg = options.configFile === undefined ? new LastKnownGood(options.stateDir, log) : undefined;
  const applier = new ConfigApplier(
    holder,
    (snapshot, previous, changedRoutes) => node.compile(snapshot, previous, changedRoutes),
    log,
    lkg,
    syncStats,
  );
  let credentials: NodeCredentials | undefined;
  const status = new StatusServer({
    holder,
    events,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync?.connected ?? false,
    metrics: createMetricsRegistry({
      stats,
      shadow,
      waf,
      holder,
      sync: syncStats,
      controlPlaneConnected: () => sync?.connected ?? false,
      siem: pipeline,
      syncEvents: () => sync?.securityEventStats(),
      upstreams: node,
    }),
  });

  let statusAddress: AddressInfo;
  let bound: Awaited<ReturnType<ProxyNode["listen"]>>;
  try {
    statusAddress = await listen(status.server, options.statusListen, "status", log);
    bound = await node.listen();
    if (options.configFile !== undefined) {
      // Air-gapped: the exported snapshot is the config; a bad file is fatal (nothing else to serve).
      applier.adopt(readSnapshotFile(options.configFile), "file");
    } else {
      const cached = lkg!.load();
      if (cached) {
        try {
          applier.adopt(cached, "cache");
        } catch (err) {
          if (!(err instanceof CompileError)) throw err;
          log.warn({ code: err.code, resource: err.resource, reason: err.message }, "last-known-good config ignored");
        }
      }
      credentials = await syncCredentials(options, log);
    }
  } catch (err) {
    await status.close();
    await node.close(0);
    await pipeline.close(0);
    throw err;
  }
  if (options.configFile === undefined) {
    const reporter = new NodeReporter(stats, holder, softwareVersion(), shadow, waf);
    sync = startSync(options, log, { holder, applier, reporter, syncStats, credentials, anomaly });
  }
  logStarted(options, log, { workers: 1, mtls: credentials !== undefined });

  let closing: Promise<void> | undefined;
  return {
    log,
    holder,
    events,
    proxyAddress: bound.proxy,
    tlsAddress: bound.tls,
    statusAddress,
    close(deadlineMs = options.shutdownTimeoutMs) {
      closing ??= (async () => {
        await node.close(deadlineMs);
        await pipeline.close();
        sync?.close();
        credentials?.close();
        await status.close();
        log.info("node stopped");
      })();
      return closing;
    },
  };
}
