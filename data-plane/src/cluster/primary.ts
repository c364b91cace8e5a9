import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import { AnomalyUplink } from "../anomaly/anomaly-uplink.js";
import { CompileError } from "../config/compile-error.js";
import { LastKnownGood, readSnapshotFile } from "../config/last-known-good.js";
import { announceListening, listen } from "../listen.js";
import type { Logger } from "../log.js";
import {
  logStarted,
  nodeSecurityEvents,
  nodeSecurityPipeline,
  type RunningNode,
  startSync,
  syncCredentials,
} from "../node.js";
import type { NodeOptions } from "../options.js";
import { LIMITER_WORKER_ENV, serveLimiterToWorkers } from "../policies/rate-limit/ipc-limiter.js";
import { StatusServer } from "../status/status-server.js";
import type { SyncClient } from "../sync/sync-client.js";
import { createMetricsRegistry } from "../telemetry/metrics.js";
import { NodeReporter } from "../telemetry/node-reporter.js";
import { SyncStats } from "../telemetry/sync-stats.js";
import { softwareVersion } from "../version.js";
import { ClusterApplier } from "./cluster-applier.js";
import { ClusterTelemetry } from "./cluster-telemetry.js";
import { workerExecArgv } from "./heap-flags.js";
import type { FromWorker, ToWorker } from "./messages.js";

/** A worker that dies this soon after its start counts as crash-looping (respawn backs off). */
const QUICK_DEATH_MS = 5_000;
const RESPAWN_MAX_DELAY_MS = 30_000;

/** What a rolling worker restart did. */
export interface RollingRestart {
  /** Workers replaced. */
  readonly restarted: number;
  /** `true` when a replacement failed to start and the restart stopped there (the old worker kept serving). */
  readonly stopped: boolean;
}

/** The cluster's workers that have not exited. */
function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
}

/** Resolves when `w` is bound to the listeners and serving (`ready`); rejects when it fails or exits first. */
function whenReady(w: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.t === "ready") done(resolve);
      else if (m.t === "failed") done(() => reject(new Error(m.error)));
    };
    const onExit = () => done(() => reject(new Error(`worker ${w.id} exited during start`)));
    const done = (then: () => void) => {
      w.off("message", onMessage);
      w.off("exit", onExit);
      then();
    };
    w.on("message", onMessage);
    w.on("exit", onExit);
  });
}

/**
 * Tells `w` to drain (its in-flight requests get `deadlineMs`) and resolves when it has exited;
 * past the deadline and a margin for the pools (3 s) it is killed.
 */
async function drain(w: Worker, deadlineMs: number): Promise<void> {
  if (w.isDead()) return;
  const exited = new Promise<void>((r) => w.once("exit", () => r()));
  if (w.isConnected()) w.send({ t: "shutdown", deadlineMs });
  const kill = setTimeout(() => {
    if (!w.isDead()) w.process.kill("SIGKILL");
  }, deadlineMs + 3_000);
  await exited;
  clearTimeout(kill);
}

/**
 * Starts a node with `options.workers` proxy processes (node:cluster). The primary binds the
 * status listener, holds the one config stream to the control plane, and hands each update to
 * the workers through the {@link ClusterApplier} (two-phase: the node ACKs once every worker
 * serves the version, or NACKs with the first refusal). Workers share the proxy and HTTPS
 * listeners (the primary accepts and hands connections round-robin, node's default on Linux).
 * A worker starts without listeners, gets the committed config, and only then binds them, so
 * the round-robin never hands a connection to a worker without routes. A worker that dies is
 * replaced that way; the others keep serving. `restartWorkers` (SIGHUP in palisade-dp) replaces
 * every worker in turn — a new one serving first, then the old one drains — with no refused
 * connection and no failed request (what `nginx -s reload` does for its workers).
 *
 * Everything a single process has, for the whole node: the workers' traffic and shadow counters
 * (cumulative, sent every 250 ms) summed in a {@link ClusterTelemetry} feed the NodeReporter
 * (reports on the stream) and the Prometheus registry (`/metrics`, with the stream's SyncStats);
 * the workers' security events go into the node's one channel (status `/security-events`, log
 * lines); node-local rate limits are counted here for all of them; each committed version is
 * written to the last-known-good file before the ACK, and at boot, once every worker is ready,
 * the cached config (or `--config-file`, then with no control plane) is handed to them before
 * the stream starts (a corrupt or refused cache is ignored with a warning). The `listening`
 * lines of the proxy listeners are logged once, after that boot config is in place.
 * @throws when a worker cannot bind the listeners, or `--config-file` cannot be read or is
 *   refused (everything started is stopped first)
 */
export async function startPrimary(options: NodeOptions, log: Logger): Promise<RunningNode> {
  // Workers' node flags: the primary's own plus the semi-space (cluster/heap-flags.ts).
  const execArgv = workerExecArgv(options.semiSpaceMib, process.execArgv, process.env.NODE_OPTIONS);
  cluster.setupPrimary({ serialization: "advanced", execArgv });
  // Node-local rate limits are counted here, exactly, for every worker (one IPC round trip per
  // limited request; see policies/rate-limit/ipc-limiter.ts).
  const stopLimiter = serveLimiterToWorkers(cluster);
  const syncStats = new SyncStats();
  const lkg = options.configFile === undefined ? new LastKnownGood(options.stateDir, log) : undefined;
  let sync: SyncClient | undefined;
  const events = nodeSecurityEvents(log);
  // The node's security events leave from here: the workers forward theirs to this channel.
  const pipeline = nodeSecurityPipeline(options, log, events, () => sync);
  const applier = new ClusterApplier(log, {
    stats: syncStats,
    ...(lkg ? { persist: lkg } : {}),
    onCommitted: (snapshot, version) => void pipeline.configure(snapshot.telemetry[0] ?? null, version),
  });
  const telemetry = new ClusterTelemetry();
  let closing = false;
  const status = new StatusServer({
    holder: applier,
    events,
    nodeId: options.nodeId,
    region: options.region,
    controlPlaneConnected: () => sync?.connected ?? false,
    workers: () =>
      applier
        .workers()
        .map((w) => ({ id: w.id, pid: w.pid ?? null, version: w.version === null ? null : Number(w.version) })),
    metrics: createMetricsRegistry({
      stats: telemetry,
      shadow: telemetry,
      waf: telemetry,
      upstreams: telemetry,
      holder: applier,
      sync: syncStats,
      controlPlaneConnected: () => sync?.connected ?? false,
      siem: pipeline,
      syncEvents: () => sync?.securityEventStats(),
    }),
  });
  const statusAddress = await listen(status.server, options.statusListen, "status", log);

  const announced = new Map<string, AddressInfo>();
  // Until the boot config is in place, `listening` lines wait (a client that reads the port
  // finds the node as a single process would have it).
  let booting = true;
  const startedAt = new Map<number, number>();
  let quickDeaths = 0;

  // Anomaly decisions go to every worker; a worker that starts later gets the whole list on `ready`.
  const anomaly = new AnomalyUplink(log, (change) => {
    for (const w of Object.values(cluster.workers ?? {}))
      if (w?.isConnected()) w.send({ t: "anomaly-decisions", change } satisfies ToWorker);
  });
  const fork = (): Worker => {
    const worker = cluster.fork({ ...process.env, ...LIMITER_WORKER_ENV });
    startedAt.set(worker.id, Date.now());
    worker.on("message", (msg: FromWorker) => {
      // Rate-limit hits share the channel; serveLimiterToWorkers answers them.
      if (typeof msg !== "object" || msg === null || typeof msg.t !== "string") return;
      switch (msg.t) {
        case "listening":
          if (!announced.has(msg.listener)) {
            const addr = { address: msg.address, port: msg.port, family: msg.family };
            announced.set(msg.listener, addr);
            if (!booting) announceListening(log, msg.listener, addr);
          }
          return;
        case "started": {
          // The decisions in force first: the guard holds them before the worker serves a request.
          worker.send({ t: "anomaly-decisions", change: { full: true, decisions: anomaly.current(), lifted: [] } });
          // Configs first: the worker binds the listeners only once it serves the committed
          // config, so no connection reaches a worker without routes (boot, replacement, restart).
          applier.addWorker({ id: worker.id, pid: worker.process.pid, send: (m) => worker.send(m) });
          void applier.whenCurrent(worker.id).then((serving) => {
            if (serving && worker.isConnected()) worker.send({ t: "listen" });
          });
          return;
        }
        case "ready":
          log.debug({ worker: worker.id, pid: worker.process.pid }, "worker ready");
          return;
        case "failed":
          log.error({ worker: worker.id, reason: msg.error }, "worker could not start");
          return;
        case "security-events":
          for (const e of msg.events) events.emit(e);
          return;
        case "security-records":
          for (const e of msg.events) events.record(e);
          return;
        case "anomaly-summary":
          anomaly.summary(msg.bytes);
          return;
        case "telemetry":
          telemetry.update(worker.id, msg);
          return;
        default:
          applier.onMessage(worker.id, msg);
      }
    });
    return worker;
  };

  /** Workers a rolling restart has told to drain: their exit is not a death to replace. */
  const retiring = new Set<number>();
  cluster.on("exit", (worker, code, signal) => {
    applier.removeWorker(worker.id);
    telemetry.retire(worker.id);
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (retiring.delete(worker.id) || closing) return;
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    const delay = quickDeaths === 0 ? 0 : Math.min(RESPAWN_MAX_DELAY_MS, 250 * 2 ** (quickDeaths - 1));
    log.warn(
      { worker: worker.id, pid: worker.process.pid, code, signal, respawn_ms: delay },
      "worker died; replacing it",
    );
    setTimeout(() => {
      if (!closing) fork();
    }, delay).unref();
  });

  /** Boot failed: stop every worker and the status listener. */
  const abort = async () => {
    closing = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    await status.close();
    await pipeline.close(0);
    stopLimiter();
  };
  // Start every worker and wait until all are bound (or one fails: then stop everything).
  const first = Array.from({ length: options.workers }, () => fork());
  try {
    await Promise.all(first.map(whenReady));
  } catch (err) {
    await abort();
    throw err;
  }
  let credentials: Awaited<ReturnType<typeof syncCredentials>>;
  try {
    if (options.configFile !== undefined) {
      // Air-gapped: the exported snapshot is the config; a bad file is fatal (nothing else to serve).
      await applier.adopt(readSnapshotFile(options.configFile), "file");
    } else {
      const cached = lkg!.load();
      if (cached) {
        try {
          await applier.adopt(cached, "cache");
        } catch (err) {
          if (!(err instanceof CompileError)) throw err;
          log.warn({ code: err.code, resource: err.resource, reason: err.message }, "last-known-good config ignored");
        }
      }
      credentials = await syncCredentials(options, log);
    }
  } catch (err) {
    await abort();
    throw err;
  }
  booting = false;
  for (const [listener, addr] of announced) announceListening(log, listener, addr);
  const creds = credentials;
  if (options.configFile === undefined) {
    const reporter = new NodeReporter(telemetry, applier, softwareVersion(), telemetry, telemetry);
    sync = startSync(options, log, { holder: applier, applier, reporter, syncStats, credentials: creds, anomaly });
  }
  logStarted(options, log, { workers: options.workers, mtls: creds !== undefined });

  let rolling: Promise<RollingRestart> | undefined;
  /** One worker at a time: a replacement serving the committed config first, then the old one drains. */
  const restartWorkers = (): Promise<RollingRestart> => {
    if (rolling !== undefined) {
      log.warn("a rolling worker restart is already under way");
      return rolling;
    }
    rolling = (async (): Promise<RollingRestart> => {
      const old = liveWorkers();
      const started = Date.now();
      log.info({ workers: old.length }, "rolling worker restart started");
      let restarted = 0;
      for (const w of old) {
        if (closing) break;
        const next = fork();
        try {
          await whenReady(next);
        } catch (err) {
          log.error({ err, worker: next.id }, "rolling worker restart stopped: a replacement did not start");
          // Not a death to replace: the old worker keeps its place.
          retiring.add(next.id);
          if (!next.isDead()) next.kill();
          else retiring.delete(next.id);
          return { restarted, stopped: true };
        }
        retiring.add(w.id);
        await drain(w, options.shutdownTimeoutMs);
        log.info({ old: w.process.pid, new: next.process.pid }, "worker replaced");
        restarted++;
      }
      log.info({ restarted, ms: Date.now() - started }, "rolling worker restart finished");
      return { restarted, stopped: false };
    })().finally(() => {
      rolling = undefined;
    });
    return rolling;
  };

  let stopping: Promise<void> | undefined;
  const none: AddressInfo = { address: "", port: 0, family: "" };
  return {
    log,
    holder: applier,
    events,
    proxyAddress: announced.get("proxy") ?? none,
    tlsAddress: announced.get("tls") ?? null,
    statusAddress,
    restartWorkers,
    close(deadlineMs = options.shutdownTimeoutMs) {
      stopping ??= (async () => {
        closing = true;
        sync?.close();
        creds?.close();
        await Promise.all(liveWorkers().map((w) => drain(w, deadlineMs)));
        await pipeline.close();
        await status.close();
        stopLimiter();
        log.info("node stopped");
      })();
      return stopping;
    },
  };
}
