import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AdminIdentity, AdminTokens } from "../admin-token.js";
import { DomainError } from "../errors.js";
import type { RolloutRecord } from "../rollouts/types.js";
import type { Store } from "../store/store.js";
import { allows, formatPermission, routePathStrings, underPrefix } from "./permissions.js";
import { type Requirement, requirementOf } from "./route-permissions.js";

/** What authorization reads besides the request. */
export interface AuthorizeDeps {
  tokens: AdminTokens;
  store: Store;
  /** A rollout by id (rollout actions of a region-bound token). */
  rollout?: ((id: string) => Promise<RolloutRecord | undefined>) | undefined;
}

const BEARER = /^Bearer +([^\s]+)$/i;

/**
 * Refuses unless `who` holds `resource[/qualifier]:verb`.
 * @throws DomainError 403 PERMISSION_DENIED with `permission` naming what is missing
 */
export function assertCan(who: AdminIdentity, resource: string, verb: string, qualifier?: string): void {
  const wanted = { resource, verb, qualifier };
  if (allows(who.grants, wanted)) return;
  const permission = formatPermission(wanted);
  throw new DomainError("PERMISSION_DENIED", `role ${who.role} lacks ${permission}`, undefined, { permission });
}

/**
 * Refuses a route edit outside a token's route prefixes: every path (of the new body and of the
 * stored route) must lie under one of them; a route without paths matches every path, so a
 * prefix-bound token cannot write it.
 * @throws DomainError 403 SCOPE_DENIED naming the path
 */
export function assertRoutePaths(who: AdminIdentity, paths: readonly string[], route: string): void {
  if (who.routePrefixes.length === 0) return;
  const scope = { route_prefixes: who.routePrefixes };
  if (paths.length === 0)
    throw new DomainError(
      "SCOPE_DENIED",
      `route ${route} has no path (it matches every path); this token edits routes under ${who.routePrefixes.join(", ")} only`,
      "paths",
      scope,
    );
  for (const p of paths)
    if (!who.routePrefixes.some((prefix) => underPrefix(p, prefix)))
      throw new DomainError(
        "SCOPE_DENIED",
        `path ${p} of route ${route} is outside this token's route prefixes (${who.routePrefixes.join(", ")})`,
        "paths",
        scope,
      );
}

/**
 * Refuses an operation on regions outside a region-bound token's.
 * @param regions the regions the operation touches; `undefined`: every region (fleet-wide)
 * @throws DomainError 403 SCOPE_DENIED
 */
export function assertRegions(who: AdminIdentity, regions: readonly string[] | undefined, what: string): void {
  if (who.regions.length === 0) return;
  const scope = { regions: who.regions };
  if (regions === undefined || regions.length === 0)
    throw new DomainError(
      "SCOPE_DENIED",
      `${what} reaches every region; this token is bound to ${who.regions.join(", ")}`,
      undefined,
      scope,
    );
  const outside = regions.filter((r) => !who.regions.includes(r));
  if (outside.length > 0)
    throw new DomainError(
      "SCOPE_DENIED",
      `${what} reaches ${outside.join(", ")}, outside this token's regions (${who.regions.join(", ")})`,
      undefined,
      scope,
    );
}

/** The regions a rollout's stages select, or undefined when a stage selects by something else (fleet-wide). */
function stageRegions(stages: ReadonlyArray<{ selector?: { regions?: readonly string[] } }>): string[] | undefined {
  const out: string[] = [];
  for (const s of stages) {
    const r = s.selector?.regions;
    if (!r || r.length === 0) return undefined;
    out.push(...r);
  }
  return out;
}

/**
 * Authentication and authorization of the admin API, as two hooks:
 * - onRequest: the bearer token (401 ADMIN_AUTH_REQUIRED, TOKEN_EXPIRED, TOKEN_REVOKED), then the
 *   endpoint's permission (route-permissions.ts; 403 PERMISSION_DENIED naming it) — before the body
 *   is read, so a caller without the permission learns nothing of the body's validity;
 * - preHandler: the finer checks that need the body or the stored resource (policy type, route
 *   prefixes, regions), before the handler and the audit log read anything.
 * Routes registered with `config: { public: true }` skip both.
 * @returns the authentication step, for routes that authenticate themselves (the UI fallback)
 */
export function registerAuthorization(
  app: FastifyInstance,
  deps: AuthorizeDeps,
): (req: FastifyRequest, reply: FastifyReply) => void {
  const cache = new Map<string, Requirement>();
  const requirement = (req: FastifyRequest): Requirement => {
    const key = `${req.method} ${req.routeOptions.url ?? ""}`;
    let r = cache.get(key);
    if (r === undefined && !cache.has(key)) {
      r = requirementOf(req.method, req.routeOptions.url ?? "");
      cache.set(key, r);
    }
    return r ?? null;
  };

  const authenticate = (req: FastifyRequest, reply: FastifyReply): void => {
    const m = BEARER.exec(req.headers.authorization ?? "");
    const r = m ? deps.tokens.authenticate(m[1]!) : ({ refused: "ADMIN_AUTH_REQUIRED" } as const);
    if ("refused" in r) {
      const error = r.refused === "ADMIN_AUTH_REQUIRED" ? "" : ', error="invalid_token"';
      reply.header("WWW-Authenticate", `Bearer realm="palisade-admin"${error}`);
      throw new DomainError(r.refused);
    }
    req.admin = r.identity;
  };

  app.addHook("onRequest", async (req, reply) => {
    if ((req.routeOptions.config as { public?: boolean } | undefined)?.public === true) return;
    authenticate(req, reply);
    const need = requirement(req);
    if (!need) return;
    const who = req.admin!;
    // The type of a policy is in the body: here only "may write some policy type".
    if (
      need.check === "policy-type" &&
      who.grants.some(
        (g) => (g.resource === "*" || g.resource === "policies") && (g.verb === "*" || g.verb === need.verb),
      )
    )
      return;
    assertCan(who, need.resource, need.verb);
  });

  app.addHook("preHandler", async (req) => {
    const need = req.admin ? requirement(req) : null;
    if (!need?.check) return;
    const who = req.admin!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = (req.params as { id?: string } | undefined)?.id;
    switch (need.check) {
      case "policy-type": {
        const stored = id !== undefined ? await deps.store.getResource("policies", id) : undefined;
        const types = new Set<string>();
        if (req.method !== "DELETE" && typeof body.type === "string") types.add(body.type);
        if (stored) types.add(String(stored.body.type));
        for (const t of types) assertCan(who, "policies", need.verb, t);
        return;
      }
      case "route-paths": {
        if (who.routePrefixes.length === 0) return;
        const stored = id !== undefined ? await deps.store.getResource("routes", id) : undefined;
        if (stored) assertRoutePaths(who, routePathStrings(stored.body.paths), stored.name);
        if (req.method !== "DELETE") assertRoutePaths(who, routePathStrings(body.paths), String(body.name ?? id));
        return;
      }
      case "node-region": {
        const node = id !== undefined ? await deps.store.getNode(id) : undefined;
        if (node) assertRegions(who, [node.region], `node ${node.id}`);
        return;
      }
      case "join-token-region":
        assertRegions(who, typeof body.region === "string" ? [body.region] : undefined, "the join token");
        return;
      case "rollout-start-regions": {
        const strategy = body.strategy as { stages?: Array<{ selector?: { regions?: string[] } }> } | string;
        const regions = typeof strategy === "object" && strategy?.stages ? stageRegions(strategy.stages) : undefined;
        assertRegions(who, regions, "the rollout");
        return;
      }
      case "rollout-regions": {
        const r = id !== undefined ? await deps.rollout?.(id) : undefined;
        if (r) assertRegions(who, stageRegions(r.stages), `rollout ${r.id}`);
        return;
      }
      case "publish-deploy":
        if ((body.deploy ?? "all") === "all") assertRegions(who, undefined, "a publish that deploys to all");
        return;
    }
  });
  return authenticate;
}
