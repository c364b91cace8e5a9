import type { AddressInfo } from "node:net";
import { compile } from "./config/compile.js";
import { TableHolder } from "./config/table-holder.js";
import { SecurityEvents } from "./events/security-events.js";
import { listen } from "./listen.js";
import { createLogger, type Logger } from "./log.js";
import { formatHostPort, type NodeOptions } from "./options.js";
import { closePolicyResources, createPolicyResources } from "./policies/registry.js";
import { ProxyServer } from "./proxy/proxy-server.js";
import { StatusServer } from "./status/status-server.js";
import { ConfigApplier } from "./sync/config-applier.js";
import { SyncClient } from "./sync/sync-client.js";
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
  // Node-local rate limits live in this process, or in the primary when this is a worker
  // started with LIMITER_WORKER_ENV (see policies/rate-limit/ipc-limiter.ts).
  const resources = createPolicyResources(warn);
  const events = new SecurityEvents();
  // Every security event is one info line (`"msg":"security event"`) until a SIEM shipper lands.
  events.subscribe((batch) => {
    if (!log.isLevelEnabled("info")) return;
    for (const e of batch) log.info({ security_event: e }, "security event");
  });
  const applier = new ConfigApplier(holder, (snapshot) => compile(snapshot, { policyTypes, resources, warn }), log);
  const sync = new SyncClient({
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
  });
  const proxy = new ProxyServer({ holder, pools, log, events, trustedProxies: options.trustedProxies });
  const status = new StatusServer({
    holder,
    events,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync.connected,
  });

  let proxyAddress: AddressInfo;
  let statusAddress: AddressInfo;
  try {
    statusAddress = await listen(status.server, options.statusListen, "status", log);
    proxyAddress = await listen(proxy.server, options.listen, "proxy", log);
  } catch (err) {
    await status.close();
    await proxy.close(0);
    throw err;
  }
  sync.start();
  log.info(
    {
      node_id: options.nodeId,
      region: options.region,
      version: softwareVersion(),
      policies: [...policyTypes],
      control_plane: formatHostPort(options.controlPlane),
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
        sync.close();
        await status.close();
        await pools.close(Math.max(0, deadlineMs - (Date.now() - started)));
        await closePolicyResources(resources);
        log.info("node stopped");
      })();
      return closing;
    },
  };
}
