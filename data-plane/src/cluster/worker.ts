import cluster from "node:cluster";
import { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import type { NodeOptions } from "../options.js";
import { ProxyNode } from "../proxy-node.js";
import { ShadowStats } from "../telemetry/shadow-stats.js";
import { TrafficStats } from "../telemetry/traffic-stats.js";
import { WafStats } from "../telemetry/waf-stats.js";
import type { FromWorker, ToWorker } from "./messages.js";
import { WorkerConfig } from "./worker-config.js";
import { WorkerTelemetrySender } from "./worker-telemetry.js";

function send(msg: FromWorker): void {
  if (process.connected) process.send?.(msg);
}

/** Sends `msg` and waits until it is handed to the channel (or the primary is gone). */
function sendAndWait(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/**
 * A cluster worker: the serving half of a node (ProxyNode) on the listeners the primary shares,
 * fed configs over IPC. It starts without listeners (`started`), compiles on `prepare`, swaps on
 * `commit` (one reference, as in a single process) or on `apply` (a late worker catching up),
 * binds the listeners on `listen` (then `ready`), and drains and exits 0 on `shutdown`, SIGTERM
 * or SIGINT, or when the primary goes away. Its security events go to the primary in batches (the primary counts and logs
 * them for the whole node), and its cumulative traffic and shadow counters every 250 ms while
 * they change, and once after draining (the primary sums them for reports and `/metrics`).
 * Nothing of this runs with `--workers 1`.
 */
export async function runWorker(options: NodeOptions, log: Logger): Promise<void> {
  const events = new SecurityEvents();
  // Delivery is already batched off the request path (setImmediate): one IPC message per batch.
  events.subscribe((batch) => send({ t: "security-events", events: batch }));
  events.subscribeRecords((batch) => send({ t: "security-records", events: batch }));
  const stats = new TrafficStats();
  const shadow = new ShadowStats();
  const waf = new WafStats();
  const node = new ProxyNode(options, log, events, stats, shadow, waf, (bytes) =>
    send({ t: "anomaly-summary", bytes }),
  );
  const telemetry = new WorkerTelemetrySender(stats, shadow, send, waf, node);
  const config = new WorkerConfig(node.holder, (snapshot) => node.compile(snapshot), log);
  let stopping = false;
  const stop = (deadlineMs: number) => {
    if (stopping) return;
    stopping = true;
    void node.close(deadlineMs).then(
      async () => {
        // The requests finished while draining count too (the primary keeps them once we exit).
        await sendAndWait(telemetry.flush());
        process.exit(0);
      },
      () => process.exit(1),
    );
  };

  const serve = async () => {
    try {
      const bound = await node.listen(false);
      send({ t: "listening", listener: "proxy", ...bound.proxy });
      if (bound.tls !== null) send({ t: "listening", listener: "tls", ...bound.tls });
      send({ t: "ready" });
      telemetry.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      send({ t: "failed", error: `${e.code ?? ""} ${e.message}`.trim() });
      process.exit(1);
    }
  };

  process.on("message", (msg: ToWorker) => {
    switch (msg.t) {
      case "listen":
        if (!stopping) void serve();
        return;
      case "shutdown":
        stop(msg.deadlineMs);
        return;
      case "anomaly-decisions":
        node.anomaly?.guard.apply(msg.change.full, msg.change.decisions, msg.change.lifted);
        return;
      default: {
        const reply = config.handle(msg);
        if (reply !== undefined) send(reply);
        return;
      }
    }
  });
  process.once("SIGTERM", () => stop(options.shutdownTimeoutMs));
  process.once("SIGINT", () => stop(options.shutdownTimeoutMs));
  // The primary is gone (crashed or killed): nobody feeds configs any more.
  cluster.worker?.once("disconnect", () => stop(options.shutdownTimeoutMs));
  // Configs first, listeners after: the primary says `listen` once this worker serves the node's
  // committed config, so the round-robin never hands a connection to a worker without routes.
  send({ t: "started" });
}
