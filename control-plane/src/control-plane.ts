import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import type { FastifyInstance } from "fastify";
import { AdminTokens } from "./admin-token.js";
import { AnomalyService } from "./anomaly/anomaly-service.js";
import { publishedAnomaly } from "./anomaly/anomaly-settings.js";
import { buildAdminApi } from "./api/server.js";
import { Publisher } from "./config/publisher.js";
import { FleetRegistry } from "./fleet/fleet-registry.js";
import { formatAddress, type ListenAddress } from "./listen-address.js";
import type { Logger } from "./log.js";
import { CpMetrics } from "./metrics/cp-metrics.js";
import { StatusServer } from "./metrics/status-server.js";
import { type CpOptions, redactDatabaseUrl } from "./options.js";
import { FleetCa } from "./pki/fleet-ca.js";
import { NodeIdentity } from "./pki/node-identity.js";
import { OidcLogin } from "./rbac/oidc.js";
import { Leadership } from "./replicas/leadership.js";
import { shareFleet } from "./replicas/shared-fleet.js";
import { type EngineReport, RolloutEngine } from "./rollouts/engine.js";
import type { FleetNode } from "./rollouts/types.js";
import { SecurityEventIntake } from "./security-events/event-intake-service.js";
import { publishedRedaction } from "./security-events/published-redaction.js";
import { IdentityStore } from "./store/identity-store.js";
import { ReplicaStore, type StoredReport } from "./store/replica-store.js";
import { RolloutStore } from "./store/rollout-store.js";
import { SecurityEventStore } from "./store/security-event-store.js";
import { Store } from "./store/store.js";
import { type SyncSecurity, SyncServer } from "./sync/sync-server.js";

/** A running control plane. */
export interface ControlPlane {
  /** Bound admin API address (the real port when 0 was asked). */
  admin: ListenAddress;
  /** Bound gRPC sync address. */
  sync: ListenAddress;
  /** Bound status address (`/metrics`), when `--status-listen` is set. */
  status: ListenAddress | undefined;
  /** A token generated on this first start, to print once; otherwise undefined. */
  generatedAdminToken: string | undefined;
  /** Stops both listeners (in-flight admin requests finish) and closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the store (migrating it), then starts the admin API and the sync server.
 * Each listener logs `{"msg":"listening","listener":"admin"|"sync","address","port"}` once bound.
 * @throws when the database cannot be opened or a port cannot be bound.
 */
export async function startControlPlane(opts: CpOptions, log: Logger): Promise<ControlPlane> {
  if (opts.databaseUrl === undefined && opts.db !== ":memory:") {
    mkdirSync(dirname(opts.db), { recursive: true });
    // The database holds secrets (HMAC keys, token hashes): owner-only, and SQLite gives
    // its -wal/-shm files the same mode.
    if (!existsSync(opts.db)) closeSync(openSync(opts.db, "a", 0o600));
  }
  const storeLog = log.child({ component: "store" });
  const store = await Store.open(opts.databaseUrl ?? opts.db, {
    onIdleError: (err) => storeLog.warn({ err: err.message }, "database connection lost"),
  });
  let tokens: AdminTokens;
  let oidc: OidcLogin | undefined;
  let generatedAdminToken: string | undefined;
  let publisher: Publisher;
  let engine: RolloutEngine;
  const fleet = new FleetRegistry();
  const rollouts = new RolloutStore(store);
  const replicas = new ReplicaStore(store);
  // Several control planes on one PostgreSQL: one of them leads singleton work (rollout ticks,
  // sweeps); SQLite has one control plane, which leads alone.
  const leadership = store.shared
    ? new Leadership(replicas, store.instance, log.child({ component: "replicas" }), opts.leaseTiming)
    : undefined;
  try {
    // At start-up no stream of this control plane is open: on SQLite every node is
    // disconnected; on a shared database only those of control planes that died.
    if (leadership) await leadership.start();
    else await store.markAllNodesDisconnected();
    if (leadership?.leading()) await replicas.sweepNodes();
    tokens = new AdminTokens(store, opts.adminToken);
    generatedAdminToken = await tokens.ensure();
    oidc = opts.oidc ? new OidcLogin(opts.oidc, tokens, log.child({ component: "oidc" })) : undefined;
    publisher = await Publisher.open(store);
    engine = await RolloutEngine.open({
      store: rollouts,
      fleet: async () =>
        (await store.listNodes())
          .filter((n) => !n.revoked_at)
          .map(
            (n): FleetNode => ({
              id: n.id,
              region: n.region,
              labels: n.labels,
              connected: n.connected,
              applied_version: n.applied_version,
              nacked_version: n.last_nack?.version ?? null,
              nacked_kind: n.last_nack?.kind ?? null,
              blocked_version: n.blocked?.version ?? null,
            }),
          ),
      // Replicas: every node's reports, whichever control plane they reached (the leader gates on them).
      reports: store.shared
        ? async (sinceMs) => groupByNode(await replicas.reportsSince(sinceMs))
        : async (sinceMs) => fleet.reportsByNode(sinceMs),
      versionExists: (n) => store.hasVersion(n),
      log: log.child({ component: "rollouts" }),
      leading: () => leadership?.leading() ?? true,
    });
  } catch (err) {
    await leadership?.stop();
    await store.close();
    throw err;
  }
  let identity: NodeIdentity | undefined;
  let security: SyncSecurity;
  if (opts.syncInsecure) {
    log.warn(
      { listener: "sync" },
      "INSECURE SYNC PORT: plain gRPC, no TLS and no node identity; any process that reaches the port can pose as a node and read the whole config (secrets included). Use only for the local demo.",
    );
    security = { mode: "insecure" };
  } else {
    const ca = await FleetCa.open(opts.pkiDir, log);
    identity = new NodeIdentity(ca, new IdentityStore(store), store, { certTtlMs: opts.nodeCertTtlS * 1000 }, log);
    const bound = opts.syncListen.host === "0.0.0.0" || opts.syncListen.host === "::" ? [] : [opts.syncListen.host];
    const hostnames = [...bound, hostname()];
    security = { mode: "mtls", identity, server: await ca.issueServerCert([...hostnames, ...opts.syncHostnames]) };
  }
  const events = new SecurityEventIntake(new SecurityEventStore(store), log.child({ component: "security-events" }), {
    maxEvents: opts.securityEventsMax,
    maxAgeMs: opts.securityEventsMaxAgeS * 1000,
  });
  // The re-check of what nodes send uses the published telemetry config's secret names too.
  const redaction = () => events.setRedaction(publishedRedaction(publisher.latest()));
  redaction();
  publisher.onPublish(redaction);
  const metrics = new CpMetrics({
    nodes: async () =>
      (await store.listNodes()).map((n) => ({
        region: n.region,
        state: n.revoked_at ? "revoked" : fleet.liveness(n.id),
      })),
    latestVersion: () => publisher.latest()?.version ?? 0,
    stableVersion: () => engine.stable().version,
    activeRollout: () => {
      const a = engine.active();
      if (!a) return undefined;
      const i = a.current_stage ?? -1;
      return { state: a.state, stage: a.stages[i]?.name ?? "", stageIndex: i, version: a.version };
    },
    rolloutCounts: () => rollouts.countByState(),
    events,
  });
  // Anomaly detection over the fleet: summaries in, detections as security events, decisions pushed.
  let sync: SyncServer | undefined;
  const anomaly = new AnomalyService({
    log: log.child({ component: "anomaly" }),
    events,
    broadcast: (msg) => sync?.broadcast(msg),
  });
  const anomalySettings = () => anomaly.setSettings(publishedAnomaly(publisher.latest()));
  anomalySettings();
  publisher.onPublish(anomalySettings);
  anomaly.start();
  sync = new SyncServer(store, publisher, fleet, security, log, engine, { events, metrics: metrics.sync, anomaly });
  engine.onAssign((nodes) => sync.offer(nodes));
  // Replicas on one PostgreSQL: a version or stable version set by another control plane
  // reaches this one's nodes as its own would (NOTIFY at commit; after a lost connection, both
  // are read again). SQLite: nothing to listen to.
  const replicaLog = log.child({ component: "replicas" });
  const stopListening = await store
    .onChange((what) => {
      const catchUp = async () => {
        if (what === "version" || what === "reconnected") await publisher.refresh();
        if (what === "stable" || what === "rollout" || what === "reconnected") await engine.refresh();
        if (what === "tokens" || what === "reconnected") await tokens.load();
      };
      catchUp().catch((err) => replicaLog.warn({ err, what }, "change of another control plane not loaded yet"));
    })
    .catch(async (err) => {
      await store.close();
      throw err;
    });
  const sweeps = leadership ? shareFleet(leadership, replicas, fleet, replicaLog) : undefined;
  let api: FastifyInstance | undefined;
  let status: StatusServer | undefined;
  try {
    // Tools learn ephemeral ports from these lines: they are written unless the level is silent.
    const announce = log.isLevelEnabled("info") || log.level === "silent" ? log : log.child({}, { level: "info" });
    const syncPort = await sync.listen(opts.syncListen).catch((err) => {
      throw Object.assign(err, { listener: `sync ${formatAddress(opts.syncListen)}` });
    });
    announce.info(
      { listener: "sync", address: opts.syncListen.host, port: syncPort, mtls: security.mode === "mtls" },
      "listening",
    );
    api = await buildAdminApi({
      store,
      publisher,
      tokens,
      log,
      uiDir: opts.uiDir,
      tls: opts.adminTls,
      oidc,
      fleet,
      identity,
      sync,
      rollouts: { engine, store: rollouts },
      events,
      metrics: metrics.admin,
      anomaly,
    });
    await api.listen({ host: opts.adminListen.host, port: opts.adminListen.port }).catch((err) => {
      throw Object.assign(err, { listener: `admin ${formatAddress(opts.adminListen)}` });
    });
    const addr = api.server.address();
    const adminPort = typeof addr === "object" && addr ? addr.port : opts.adminListen.port;
    if (oidc)
      oidc.defaultRedirectUrl = `${opts.adminTls ? "https" : "http"}://${formatAddress({ host: opts.adminListen.host, port: adminPort })}/v1/auth/oidc/callback`;
    announce.info(
      { listener: "admin", address: opts.adminListen.host, port: adminPort, tls: opts.adminTls !== undefined },
      "listening",
    );
    let statusAddr: ListenAddress | undefined;
    if (opts.statusListen) {
      status = new StatusServer(metrics, log);
      const port = await status.listen(opts.statusListen).catch((err) => {
        throw Object.assign(err, { listener: `status ${formatAddress(opts.statusListen!)}` });
      });
      statusAddr = { host: opts.statusListen.host, port };
      announce.info({ listener: "status", address: opts.statusListen.host, port }, "listening");
    }
    events.start();
    // Resumes a rollout that was running when the control plane stopped (soak and deadlines are timestamps).
    engine.start(opts.rolloutTickMs);
    const latest = publisher.latest();
    log.info(
      {
        version: latest?.version ?? 0,
        stable: engine.stable().version,
        rollout: engine.active()?.id,
        db: opts.databaseUrl !== undefined ? redactDatabaseUrl(opts.databaseUrl) : opts.db,
      },
      "control plane ready",
    );
    return {
      admin: { host: opts.adminListen.host, port: adminPort },
      sync: { host: opts.syncListen.host, port: syncPort },
      status: statusAddr,
      generatedAdminToken,
      async close() {
        await stopListening();
        engine.stop();
        sweeps?.stop();
        await leadership?.stop();
        events.stop();
        anomaly.stop();
        await status?.close();
        await sync.close();
        await api?.close();
        await store.close();
      },
    };
  } catch (err) {
    await stopListening();
    engine.stop();
    sweeps?.stop();
    await leadership?.stop();
    events.stop();
    anomaly.stop();
    await status?.close();
    await sync.close(0);
    await api?.close();
    await store.close();
    throw err;
  }
}

/** Stored reports by node id (the engine's shape). */
function groupByNode(rows: readonly StoredReport[]): Map<string, EngineReport[]> {
  const out = new Map<string, EngineReport[]>();
  for (const r of rows) {
    const list = out.get(r.node_id);
    if (list) list.push(r);
    else out.set(r.node_id, [r]);
  }
  return out;
}
