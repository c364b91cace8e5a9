import type { AddressInfo } from "node:net";
import type { AppliedSource } from "./config/table-holder.js";
import { SecurityEvents } from "./events/security-events.js";
import { listen } from "./listen.js";
import { createLogger, type Logger } from "./log.js";
import { formatHostPort, type NodeOptions } from "./options.js";
import { ProxyNode } from "./proxy-node.js";
import { StatusServer } from "./status/status-server.js";
import { ConfigApplier } from "./sync/config-applier.js";
import { SyncClient } from "./sync/sync-client.js";
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

/** Logs the node's start line. */
export function logStarted(options: NodeOptions, log: Logger, extra: Record<string, unknown> = {}): void {
  log.info(
    {
      node_id: options.nodeId,
      region: options.region,
      version: softwareVersion(),
      policies: [...options.policyTypes],
      control_plane: formatHostPort(options.controlPlane),
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
  const node = new ProxyNode(options, log, events);
  const holder = node.holder;
  const applier = new ConfigApplier(holder, (snapshot) => node.compile(snapshot), log);
  const sync = new SyncClient({
    address: formatHostPort(options.controlPlane),
    identity: nodeIdentity(options),
    holder,
    applier,
    log,
  });
  const status = new StatusServer({
    holder,
    events,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync.connected,
  });

  let statusAddress: AddressInfo;
  let bound: Awaited<ReturnType<ProxyNode["listen"]>>;
  try {
    statusAddress = await listen(status.server, options.statusListen, "status", log);
    bound = await node.listen();
  } catch (err) {
    await status.close();
    await node.close(0);
    throw err;
  }
  sync.start();
  logStarted(options, log, { workers: 1 });

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
        sync.close();
        await status.close();
        log.info("node stopped");
      })();
      return closing;
    },
  };
}
