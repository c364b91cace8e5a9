import type { AddressInfo } from "node:net";
import { compile } from "./config/compile.js";
import { CompileError } from "./config/compile-error.js";
import { LastKnownGood, readSnapshotFile } from "./config/last-known-good.js";
import { TableHolder } from "./config/table-holder.js";
import { SecurityEvents } from "./events/security-events.js";
import { listen } from "./listen.js";
import { createLogger, type Logger } from "./log.js";
import { formatHostPort, type NodeOptions } from "./options.js";
import { createPolicyResources } from "./policies/registry.js";
import { ProxyServer } from "./proxy/proxy-server.js";
import { StatusServer } from "./status/status-server.js";
import { ConfigApplier } from "./sync/config-applier.js";
import { NodeCredentials } from "./sync/node-credentials.js";
import { SyncClient } from "./sync/sync-client.js";
import { createMetricsRegistry } from "./telemetry/metrics.js";
import { NodeReporter } from "./telemetry/node-reporter.js";
import { SyncStats } from "./telemetry/sync-stats.js";
import { TrafficStats } from "./telemetry/traffic-stats.js";
import { PoolManager } from "./upstream/pool-manager.js";
import { softwareVersion } from "./version.js";

/** A running node. */
export interface RunningNode {
  readonly log: Logger;
  readonly holder: TableHolder;
  /** The node's security event channel. */
  readonly events: SecurityEvents;
  /** Bound proxy address (the real port when 0 was asked). */
  readonly proxyAddress: AddressInfo;
  /** Bound status address. */
  readonly statusAddress: AddressInfo;
  /**
   * Graceful stop: stop accepting, let in-flight requests finish for up to `deadlineMs`
   * (default 10,000), then close the config stream and the upstream pools.
   */
  close(deadlineMs?: number): Promise<void>;
}

/**
 * Starts a data-plane node: the proxy and status listeners (each logs its `listening` line once
 * bound), the upstream pools and the config stream to the control plane. The node serves 503
 * NO_CONFIG until the first config is applied.
 * @param log default: JSON to stdout at `options.logLevel`
 * @throws the listen error when a port cannot be bound (everything started is closed first)
 */
export async function startNode(
  options: NodeOptions,
  log: Logger = createLogger(options.logLevel),
): Promise<RunningNode> {
  const pools = new PoolManager();
  const holder = new TableHolder((table) => pools.retain(table.poolKeys));
  const policyTypes = options.policyTypes;
  const warn = (fields: Record<string, unknown>, msg: string) => log.warn(fields, msg);
  const resources = createPolicyResources({ warn });
  const events = new SecurityEvents();
  // Every security event is one info line (`"msg":"security event"`) until a SIEM shipper lands.
  events.subscribe((batch) => {
    if (!log.isLevelEnabled("info")) return;
    for (const e of batch) log.info({ security_event: e }, "security event");
  });
  const stats = new TrafficStats();
  const syncStats = new SyncStats();
  const lkg = options.configFile === undefined ? new LastKnownGood(options.stateDir, log) : undefined;
  const applier = new ConfigApplier(
    holder,
    (snapshot, previous, changedRoutes) =>
      compile(snapshot, {
        policyTypes,
        resources,
        warn,
        ...(previous ? { previous } : {}),
        ...(changedRoutes ? { changedRoutes } : {}),
      }),
    log,
    lkg,
    syncStats,
  );
  let sync: SyncClient | undefined;
  let credentials: NodeCredentials | undefined;
  const proxy = new ProxyServer({ holder, pools, log, events, stats });
  const status = new StatusServer({
    holder,
    events,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync?.connected ?? false,
    metrics: createMetricsRegistry({
      stats,
      holder,
      sync: syncStats,
      controlPlaneConnected: () => sync?.connected ?? false,
    }),
  });

  let proxyAddress: AddressInfo;
  let statusAddress: AddressInfo;
  try {
    statusAddress = await listen(status.server, options.statusListen, "status", log);
    proxyAddress = await listen(proxy.server, options.listen, "proxy", log);
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
      if (options.syncInsecure) {
        log.warn(
          { control_plane: formatHostPort(options.controlPlane) },
          "INSECURE SYNC: plain gRPC to the control plane, no TLS and no node identity. Use only for the local demo.",
        );
      } else {
        credentials = await NodeCredentials.obtain({
          stateDir: options.stateDir,
          nodeId: options.nodeId,
          region: options.region,
          address: formatHostPort(options.controlPlane),
          caCertPath: options.caCert,
          joinToken: options.joinToken,
          log,
        });
      }
    }
  } catch (err) {
    await status.close();
    await proxy.close(0);
    await resources.close();
    throw err;
  }
  if (options.configFile === undefined) {
    const creds = credentials;
    const reporter = new NodeReporter(stats, holder, softwareVersion());
    sync = new SyncClient({
      address: formatHostPort(options.controlPlane),
      identity: {
        nodeId: options.nodeId,
        region: options.region,
        labels: options.labels,
        softwareVersion: softwareVersion(),
        policyTypes: [...policyTypes].sort(),
      },
      holder,
      applier,
      log,
      ...(creds ? { credentials: () => creds.channelCredentials() } : {}),
      reportIntervalMs: options.reportIntervalMs,
      report: () => reporter.next(),
      onUpdateBytes: (n) => {
        syncStats.bytes += n;
      },
    });
    sync.start();
    const client = sync;
    creds?.startRenewal(() => client.reconnect());
  }
  log.info(
    {
      node_id: options.nodeId,
      region: options.region,
      version: softwareVersion(),
      policies: [...policyTypes],
      control_plane: options.configFile === undefined ? formatHostPort(options.controlPlane) : null,
      config_file: options.configFile,
      mtls: credentials !== undefined,
    },
    "node started",
  );

  let closing: Promise<void> | undefined;
  return {
    log,
    holder,
    events,
    proxyAddress,
    statusAddress,
    close(deadlineMs = 10_000) {
      closing ??= (async () => {
        const started = Date.now();
        await proxy.close(deadlineMs);
        sync?.close();
        credentials?.close();
        await status.close();
        await pools.close(Math.max(0, deadlineMs - (Date.now() - started)));
        await resources.close();
        log.info("node stopped");
      })();
      return closing;
    },
  };
}
