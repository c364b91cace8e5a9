import type { AddressInfo } from "node:net";
import { compile } from "./config/compile.js";
import { TableHolder } from "./config/table-holder.js";
import { listen } from "./listen.js";
import { createLogger, type Logger } from "./log.js";
import { formatHostPort, type NodeOptions } from "./options.js";
import { createPolicyResources } from "./policies/registry.js";
import { ProxyServer } from "./proxy/proxy-server.js";
import { TlsListener } from "./proxy/tls-listener.js";
import { StatusServer } from "./status/status-server.js";
import { ConfigApplier } from "./sync/config-applier.js";
import { SyncClient } from "./sync/sync-client.js";
import { SecureContextCache } from "./tls/compile-certificates.js";
import { PoolManager } from "./upstream/pool-manager.js";
import { UpstreamRuntime } from "./upstream/upstream-runtime.js";
import { softwareVersion } from "./version.js";

/** A running node. */
export interface RunningNode {
  readonly log: Logger;
  readonly holder: TableHolder;
  /** Bound proxy address (the real port when 0 was asked). */
  readonly proxyAddress: AddressInfo;
  /** Bound HTTPS proxy address, `null` when `--tls-listen off`. */
  readonly tlsAddress: AddressInfo | null;
  /** Bound status address. */
  readonly statusAddress: AddressInfo;
  /**
   * Graceful stop: stop accepting, let in-flight requests finish for up to `deadlineMs`
   * (default `--shutdown-timeout-ms`), then close the config stream and the upstream pools.
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
  const tlsContexts = new SecureContextCache();
  const upstreams = new UpstreamRuntime(log);
  const holder = new TableHolder((table) => {
    pools.retain(table.poolKeys);
    tlsContexts.retain(table.tlsContextKeys);
    upstreams.retain(table);
  });
  const resources = createPolicyResources();
  const policyTypes = options.policyTypes;
  const warn = (fields: Record<string, unknown>, msg: string) => log.warn(fields, msg);
  const applier = new ConfigApplier(
    holder,
    (snapshot) => compile(snapshot, { policyTypes, resources, warn, tlsContexts, upstreams }),
    log,
  );
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
  const proxy = new ProxyServer({
    holder,
    pools,
    log,
    headersTimeoutMs: options.clientHeaderTimeoutMs,
    requestTimeoutMs: options.clientRequestTimeoutMs,
    keepAliveTimeoutMs: options.clientIdleTimeoutMs,
    maxHeaderBytes: options.maxHeaderBytes,
    maxHeaders: options.maxHeaders,
  });
  const tls =
    options.tlsListen === null
      ? null
      : new TlsListener({
          holder,
          http1: proxy.server,
          http2: () => proxy.h2,
          log,
          handshakeTimeoutMs: options.clientHeaderTimeoutMs,
        });
  const status = new StatusServer({
    holder,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync.connected,
  });

  let proxyAddress: AddressInfo;
  let statusAddress: AddressInfo;
  let tlsAddress: AddressInfo | null = null;
  try {
    statusAddress = await listen(status.server, options.statusListen, "status", log);
    proxyAddress = await listen(proxy.server, options.listen, "proxy", log);
    if (tls !== null && options.tlsListen !== null)
      tlsAddress = await listen(tls.server, options.tlsListen, "tls", log);
  } catch (err) {
    await status.close();
    await tls?.close();
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
    proxyAddress,
    tlsAddress,
    statusAddress,
    close(deadlineMs = options.shutdownTimeoutMs) {
      closing ??= (async () => {
        const started = Date.now();
        const tlsClosed = tls?.close();
        await proxy.close(deadlineMs);
        tls?.destroyConnections();
        await tlsClosed;
        sync.close();
        upstreams.close();
        await status.close();
        await pools.close(Math.max(0, deadlineMs - (Date.now() - started)));
        log.info("node stopped");
      })();
      return closing;
    },
  };
}
