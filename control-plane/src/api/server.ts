import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import type { AdminTokens } from "../admin-token.js";
import type { AnomalyService } from "../anomaly/anomaly-service.js";
import type { Publisher } from "../config/publisher.js";
import { ensureBundledRuleSet } from "../config/rule-sets.js";
import { DomainError } from "../errors.js";
import type { FleetRegistry } from "../fleet/fleet-registry.js";
import type { Logger } from "../log.js";
import type { AdminRequestMetrics } from "../metrics/cp-metrics.js";
import type { NodeIdentity } from "../pki/node-identity.js";
import { registerAuthorization } from "../rbac/authorize.js";
import { type OidcLogin, registerOidcRoutes } from "../rbac/oidc.js";
import type { RolloutEngine } from "../rollouts/engine.js";
import type { SecurityEventIntake } from "../security-events/event-intake-service.js";
import type { RolloutStore } from "../store/rollout-store.js";
import type { Store } from "../store/store.js";
import type { SyncServer } from "../sync/sync-server.js";
import { registerAudit } from "./audit.js";
import { registerErrorHandlers, sendError } from "./error-response.js";
import { registerOpenApi } from "./openapi.js";
import { KINDS } from "./resource-kinds.js";
import { obj, replies } from "./response-schemas.js";
import { registerAnomalyRoutes } from "./routes/anomalies.js";
import { registerConfigSyncRoutes } from "./routes/config-sync.js";
import { registerCredentialRoutes } from "./routes/credentials.js";
import { registerInfoRoute } from "./routes/info.js";
import { registerNodeRoutes } from "./routes/nodes.js";
import { registerResourceRoutes } from "./routes/resources.js";
import { registerRolloutRoutes } from "./routes/rollouts.js";
import { endAllStreams } from "./routes/security-event-stream.js";
import { registerSecurityEventRoutes } from "./routes/security-events.js";
import { registerSettingsRoutes } from "./routes/settings.js";
import { registerTelemetryRoutes } from "./routes/telemetry.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerVersionRoutes } from "./routes/versions.js";
import { registerWafRoutes } from "./routes/waf.js";
import { registerUi } from "./ui.js";

/** What the admin API is built from. */
export interface AdminApiDeps {
  store: Store;
  publisher: Publisher;
  tokens: AdminTokens;
  log: Logger;
  /** Folder of the web admin bundle to serve at `/`; omitted: no UI (API only, as in unit tests). */
  uiDir?: string;
  /** Live inventory (liveness, reports); optional in unit tests. */
  fleet?: FleetRegistry | undefined;
  /** Node identity (join tokens, revocation); absent when the sync port runs insecure. */
  identity?: NodeIdentity | undefined;
  /** The sync server, to end a revoked node's stream and to resync a node. */
  sync?: Pick<SyncServer, "disconnect" | "resync"> | undefined;
  /** OIDC sign-in for the web admin; undefined: tokens only. */
  oidc?: OidcLogin | undefined;
  /** TLS of the listener (see CpOptions.adminTls); undefined: plain HTTP. */
  tls?: { cert: string; key: string; clientCa?: string } | undefined;
  /** Staged rollouts and the stable version; without them (unit tests) a publish goes to every node. */
  rollouts?: { engine: RolloutEngine; store: RolloutStore } | undefined;
  /** Security events from the nodes (`/v1/security-events`); absent in unit tests that need none. */
  events?: SecurityEventIntake | undefined;
  /** Anomaly detection over the fleet (`/v1/anomalies/...`); absent in unit tests that need none. */
  anomaly?: AnomalyService | undefined;
  /** Counts every request by method, route pattern and status (the control plane's `/metrics`). */
  metrics?: AdminRequestMetrics | undefined;
}

/** `Authorization` lines in a request (`rawHeaders`: name, value, name, value, …; any case). */
function authorizationLines(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === "authorization") n++;
  return n;
}

/**
 * Builds the admin REST API (fastify). Every `/v1/*` route needs `Authorization: Bearer <token>`
 * of a token whose role grants the route's permission (rbac/route-permissions.ts); only routes
 * registered with `config: { public: true }` (`/healthz`, the web admin's static files) are open. A request with
 * two `Authorization` lines is refused everywhere (400 `ADMIN_AUTH_AMBIGUOUS`). Errors answer
 * `{"error": {"code", "message", "field"?}}` with the registry's status.
 */
export async function buildAdminApi(deps: AdminApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request info lines would drown the operator's log: fastify logs warnings and errors only.
    loggerInstance: deps.log.child(
      { component: "admin-api" },
      {
        level: deps.log.isLevelEnabled("warn") ? "warn" : deps.log.level,
      },
    ) as FastifyBaseLogger,
    bodyLimit: 4 * 1024 * 1024,
    // No type coercion: "80" is not a port. verbose: errors carry their schema (for descriptions).
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: false, verbose: true } },
    return503OnClosing: true,
    // The router's own refusals (a path parameter over maxParamLength, a URL that is not valid
    // percent-encoding) answer in the API's error format like every other refusal.
    frameworkErrors: (err, _req, reply) => {
      const tooLong = err.code === "FST_ERR_MAX_PARAM_LENGTH";
      sendError(
        reply as unknown as FastifyReply,
        tooLong
          ? new DomainError("URI_TOO_LONG", undefined, "path")
          : new DomainError("BAD_REQUEST", "the URL is not valid percent-encoding", "path"),
      );
    },
    // HTTPS with the operator's certificate; with a client CA, a client certificate it signed is
    // required before any request is read (TLS 1.2 at least, node's defaults otherwise).
    ...(deps.tls
      ? {
          https: {
            cert: deps.tls.cert,
            key: deps.tls.key,
            minVersion: "TLSv1.2" as const,
            ...(deps.tls.clientCa ? { ca: deps.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;

  // JSON only: fastify also parses text/plain by default, which turned a JSON body sent with
  // the wrong type into a confusing "the body must be object"; now it is 415 UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRequest", async (req, reply) => {
    // node keeps the first of two Authorization lines and drops the other: which one counts
    // would depend on the parser, so two are refused on every route, as the data plane does.
    if (authorizationLines(req.raw.rawHeaders) > 1) {
      reply.header("WWW-Authenticate", 'Bearer realm="palisade-admin", error="invalid_request"');
      throw new DomainError("ADMIN_AUTH_AMBIGUOUS");
    }
  });
  // Deny by default: every route needs a token, and the permission route-permissions.ts names,
  // unless it was registered with `config: { public: true }`. The decision uses the route
  // fastify matched, never the raw URL: `/%761/nodes` and absolute-form targets reach /v1 routes too.
  const authenticate = registerAuthorization(app, {
    tokens: deps.tokens,
    store: deps.store,
    rollout: deps.rollouts ? (id) => deps.rollouts!.engine.get(id) : undefined,
  });
  const metrics = deps.metrics;
  if (metrics)
    app.addHook("onResponse", async (req, reply) => {
      // The route pattern, never the raw URL: label values stay bounded.
      const route = req.routeOptions.url ?? "unmatched";
      metrics.observe(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  // Live event streams hold their connections open: end them, or close would wait forever.
  const events = deps.events;
  if (events) app.addHook("preClose", async () => endAllStreams(events));

  registerErrorHandlers(app);

  // The OpenAPI document lists the routes registered after it: every route lives in this scope,
  // registered once @fastify/swagger is loaded.
  registerOpenApi(app);
  // The WAF rule set this build ships is in the draft before any request (a waf policy's default).
  await ensureBundledRuleSet(deps.store, deps.log);
  app.register(async (scope) => {
    registerInfoRoute(scope);
    registerAudit(scope, deps.store, deps.log);
    const health = replies(obj({ status: { type: "string", const: "ok" } }, ["status"]));
    scope.get("/healthz", { config: { public: true }, schema: { response: health } }, async () => ({ status: "ok" }));
    for (const spec of KINDS) registerResourceRoutes(scope, deps.store, spec);
    registerCredentialRoutes(scope, deps.store);
    registerVersionRoutes(scope, deps.store, deps.publisher, deps.rollouts?.engine);
    if (deps.rollouts)
      registerRolloutRoutes(scope, { store: deps.store, rollouts: deps.rollouts.store, engine: deps.rollouts.engine });
    registerSettingsRoutes(scope, deps.store);
    registerTelemetryRoutes(scope, deps.store);
    registerAnomalyRoutes(scope, deps.store, deps.anomaly);
    if (deps.events) registerSecurityEventRoutes(scope, deps.events);
    registerWafRoutes(scope, deps.store, deps.fleet);
    registerTokenRoutes(scope, deps.tokens);
    registerOidcRoutes(scope, deps.oidc, deps.log);
    registerConfigSyncRoutes(scope, deps.store);
    registerNodeRoutes(scope, {
      store: deps.store,
      publisher: deps.publisher,
      fleet: deps.fleet,
      identity: deps.identity,
      disconnect: deps.sync ? (id, reason) => deps.sync!.disconnect(id, reason) : undefined,
      resync: deps.sync ? (id) => deps.sync!.resync(id) : undefined,
      desiredVersion: deps.rollouts ? (id) => deps.rollouts!.engine.desiredVersionOf(id) : undefined,
    });
    if (deps.uiDir) registerUi(scope, deps.uiDir, deps.log, authenticate);
  });
  return app;
}
