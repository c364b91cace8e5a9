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
import type { CpOptions } from "./options.js";
import { FleetCa } from "./pki/fleet-ca.js";
import { NodeIdentity } from "./pki/node-identity.js";
import { OidcLogin } from "./rbac/oidc.js";
import { RolloutEngine } from "./rollouts/engine.js";
import type { FleetNode } from "./rollouts/types.js";
import { SecurityEventIntake } from "./security-events/event-intake-service.js";
import { publishedRedaction } from "./security-events/published-redaction.js";
import { IdentityStore } from "./store/identity-store.js";
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
  if (opts.db !== ":memory:") {
    mkdirSync(dirname(opts.db), { recursive: true });
    // The database holds secrets (HMAC keys, token hashes): owner-only, and SQLite gives
    // its -wal/-shm files the same mode.
    if (!existsSync(opts.db)) closeSync(openSync(opts.db, "a", 0o600));
  }
  const store = new Store(opts.db);
  try {
    store.markAllNodesDisconnected();
  } catch (err) {
    store.close();
    throw err;
  }
  const tokens = new AdminTokens(store, opts.adminToken);
  const generatedAdminToken = tokens.ensure();
  const oidc = opts.oidc ? new OidcLogin(opts.oidc, tokens, log.child({ component: "oidc" })) : undefined;
  const publisher = new Publisher(store);
  const fleet = new FleetRegistry();
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
  const rollouts = new RolloutStore(store);
  const engine = new RolloutEngine({
    store: rollouts,
    fleet: () =>
      store
        .listNodes()
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
    reports: (id, sinceMs) => fleet.nodeHistory(id).filter((p) => p.at >= sinceMs),
    versionExists: (n) => store.hasVersion(n),
    log: log.child({ component: "rollouts" }),
  });
  const events = new SecurityEventIntake(new SecurityEventStore(store), log.child({ component: "security-events" }), {
    maxEvents: opts.securityEventsMax,
    maxAgeMs: opts.securityEventsMaxAgeS * 1000,
  });
  // The re-check of what nodes send uses the published telemetry config's secret names too.
  const redaction = () => events.setRedaction(publishedRedaction(publisher.latest()));
  redaction();
  publisher.onPublish(redaction);
  const metrics = new CpMetrics({
    nodes: () =>
      store.listNodes().map((n) => ({
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
    api = buildAdminApi({
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
      { version: latest?.version ?? 0, stable: engine.stable().version, rollout: engine.active()?.id, db: opts.db },
      "control plane ready",
    );
    return {
      admin: { host: opts.adminListen.host, port: adminPort },
      sync: { host: opts.syncListen.host, port: syncPort },
      status: statusAddr,
      generatedAdminToken,
      async close() {
        engine.stop();
        events.stop();
        anomaly.stop();
        await status?.close();
        await sync.close();
        await api?.close();
        store.close();
      },
    };
  } catch (err) {
    engine.stop();
    events.stop();
    anomaly.stop();
    await status?.close();
    await sync.close(0);
    await api?.close();
    store.close();
    throw err;
  }
}
