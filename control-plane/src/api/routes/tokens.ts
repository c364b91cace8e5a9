import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AdminIdentity, AdminTokens } from "../../admin-token.js";
import { DomainError } from "../../errors.js";
import { allows, BUILTIN_ROLES, parseGrant } from "../../rbac/permissions.js";
import type { TokenRow } from "../../rbac/token-store.js";
import { digits, queryInt } from "../query.js";
import { etagOf, PAGE_QUERY, pageOf, requireMatch } from "../resource-page.js";
import { list, noContent, nullable, obj, pageOf as pageSchema, replies, str, time } from "../response-schemas.js";

const tokenName = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9 ._@:+-]{0,127}$" } as const;
const roleName = { type: "string", pattern: "^[a-z][a-z0-9_-]{0,63}$" } as const;
const region = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$" } as const;
const prefix = {
  type: "string",
  minLength: 1,
  maxLength: 1024,
  pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$",
} as const;
const ttl = { type: "integer", minimum: 60, maximum: 3 * 365 * 86_400, description: "lifetime in seconds" } as const;

/** Body of `POST /v1/tokens`. */
export const newTokenSchema = {
  type: "object",
  required: ["name", "role"],
  additionalProperties: false,
  properties: {
    name: tokenName,
    role: roleName,
    regions: {
      type: "array",
      maxItems: 64,
      uniqueItems: true,
      items: region,
      description: "node and rollout operations only in these regions; empty or absent: every region",
    },
    route_prefixes: {
      type: "array",
      maxItems: 64,
      uniqueItems: true,
      items: prefix,
      description: "route edits only under these path prefixes; empty or absent: every route",
    },
    ttl_s: ttl,
    expires_at: { type: "string", format: "date-time" },
  },
} as const;

const roleSchema = {
  type: "object",
  required: ["name", "permissions"],
  additionalProperties: false,
  properties: {
    name: roleName,
    description: { type: "string", maxLength: 512 },
    permissions: {
      type: "array",
      minItems: 1,
      maxItems: 128,
      uniqueItems: true,
      items: {
        type: "string",
        maxLength: 128,
        description: "resource[/qualifier]:verb, e.g. routes:write, policies/jwt:write",
      },
    },
  },
} as const;

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[1-9][0-9]{0,15}$", description: "a token id" } },
} as const;
const nameParam = { type: "object", required: ["name"], properties: { name: roleName } } as const;

/** A token's state: `active`, `expired` or `revoked`. */
function stateOf(t: TokenRow, now: number): string {
  if (t.revoked_at) return "revoked";
  if (t.expires_at && Date.parse(t.expires_at) <= now) return "expired";
  return "active";
}

/** A token as the API shows it: never its secret or hash, only the hash's first 12 hex digits. */
export function presentToken(t: TokenRow, now = Date.now()): Record<string, unknown> {
  return {
    id: String(t.id),
    name: t.name,
    role: t.role,
    regions: t.regions,
    route_prefixes: t.route_prefixes,
    source: t.source,
    subject: t.subject,
    fingerprint: t.hash.slice(0, 12),
    state: stateOf(t, now),
    created_at: t.created_at,
    created_by: t.created_by,
    expires_at: t.expires_at,
    rotated_at: t.rotated_at,
    revoked_at: t.revoked_at,
    last_used_at: t.last_used_at,
  };
}

/**
 * Refuses to hand out more than the caller holds: every grant of `role` must be allowed by the
 * caller's grants, and a region- or prefix-bound caller only creates tokens bound as narrowly.
 * @throws DomainError 403 PERMISSION_DENIED / SCOPE_DENIED
 */
function assertWithinCaller(
  who: AdminIdentity,
  grants: readonly string[],
  regions: readonly string[],
  prefixes: readonly string[],
): void {
  for (const g of grants) {
    if (!allows(who.grants, parseGrant(g)))
      throw new DomainError("PERMISSION_DENIED", `role ${who.role} cannot grant ${g}`, undefined, { permission: g });
  }
  if (who.regions.length > 0 && (regions.length === 0 || regions.some((r) => !who.regions.includes(r))))
    throw new DomainError(
      "SCOPE_DENIED",
      `this token is bound to ${who.regions.join(", ")}: so must be the tokens it creates`,
      "regions",
    );
  if (who.routePrefixes.length > 0 && (prefixes.length === 0 || prefixes.some((p) => !who.routePrefixes.includes(p))))
    throw new DomainError(
      "SCOPE_DENIED",
      `this token is bound to routes under ${who.routePrefixes.join(", ")}: so must be the tokens it creates`,
      "route_prefixes",
    );
}

/**
 * Tokens and roles (issue 18):
 * - `GET /v1/tokens` (filters `role`, `state`, `source`; `limit`, `after`), `POST /v1/tokens` (201,
 *   the secret in that answer only, `Cache-Control: no-store`), `GET /v1/tokens/{id}`,
 *   `POST /v1/tokens/{id}/rotate` (a new secret; the old one answers 401 TOKEN_REVOKED),
 *   `DELETE /v1/tokens/{id}` (revokes; kept, answering 401 TOKEN_REVOKED), `GET /v1/tokens/self`
 *   (the caller: role, permissions, bounds; any token);
 * - `GET /v1/roles` (built-in and custom), `PUT /v1/roles/{name}` and `DELETE /v1/roles/{name}`
 *   for custom roles (409 ROLE_IN_USE while a token is bound to it).
 * A token never hands out more than it holds (its grants and bounds).
 */
/** A token as {@link presentToken} shows it (never its secret). */
const TOKEN = obj(
  {
    id: str,
    name: str,
    role: str,
    regions: list(str),
    route_prefixes: list(str),
    source: { type: "string", enum: ["bootstrap", "api", "oidc"] },
    subject: nullable("string", "the OIDC subject of a sign-in token"),
    fingerprint: { type: "string", description: "the first 12 hex digits of the secret's hash" },
    state: { type: "string", enum: ["active", "expired", "revoked"] },
    created_at: time,
    created_by: nullable("string"),
    expires_at: nullable("string"),
    rotated_at: nullable("string"),
    revoked_at: nullable("string"),
    last_used_at: nullable("string"),
  },
  ["id", "name", "role", "regions", "route_prefixes", "source", "state", "created_at"],
);

/** A token with its secret: the answer to its creation or rotation, the only one that holds it. */
const TOKEN_WITH_SECRET = obj(
  { ...(TOKEN as { properties: object }).properties, token: { type: "string", description: "the secret, shown once" } },
  ["id", "name", "role", "state", "token"],
);

/** A role, built-in or custom. */
const ROLE = obj(
  {
    name: str,
    description: str,
    permissions: list(str),
    builtin: { type: "boolean" },
    created_at: time,
    updated_at: time,
  },
  ["name", "permissions", "builtin"],
);

/** `GET /v1/tokens/self`: the caller. */
const SELF = obj(
  {
    id: str,
    name: str,
    role: str,
    permissions: list(str),
    regions: list(str),
    route_prefixes: list(str),
    expires_at: nullable("string"),
    source: { type: "string", enum: ["env", "bootstrap", "api", "oidc"] },
  },
  ["id", "name", "role", "permissions", "regions", "route_prefixes", "expires_at", "source"],
);

export function registerTokenRoutes(app: FastifyInstance, tokens: AdminTokens): void {
  const who = (req: FastifyRequest) => req.admin!;
  const find = async (id: string) => {
    const t = await tokens.get(Number(id));
    if (!t) throw new DomainError("NOT_FOUND", `no token ${id}`);
    return t;
  };
  const roleGrants = async (role: string, field: string): Promise<readonly string[]> => {
    const r = (await tokens.roles()).find((x) => x.name === role);
    if (!r) throw new DomainError("VALIDATION_FAILED", `no role ${JSON.stringify(role)}`, field);
    return r.permissions;
  };

  app.get("/v1/tokens/self", { schema: { response: replies(SELF) } }, async (req) => {
    const w = who(req);
    const row = w.id === "env" ? undefined : await tokens.get(Number(w.id));
    return {
      id: w.id,
      name: w.label,
      role: w.role,
      permissions: await roleGrants(w.role, "role"),
      regions: w.regions,
      route_prefixes: w.routePrefixes,
      expires_at: row?.expires_at ?? null,
      source: row?.source ?? "env",
    };
  });

  app.get(
    "/v1/tokens",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            role: roleName,
            state: { type: "string", enum: ["active", "expired", "revoked"] },
            source: { type: "string", enum: ["bootstrap", "api", "oidc"] },
            limit: digits,
            after: digits,
          },
        },
        response: replies(pageSchema(TOKEN)),
      },
    },
    async (req) => {
      const q = req.query as { role?: string; state?: string; source?: string };
      const now = Date.now();
      const after = queryInt(req.query, "after", 0, Number.MAX_SAFE_INTEGER) ?? 0;
      const items = (await tokens.list())
        .filter((t) => t.id > after)
        .filter((t) => (!q.role || t.role === q.role) && (!q.source || t.source === q.source))
        .map((t) => presentToken(t, now))
        .filter((t) => !q.state || t.state === q.state);
      return pageOf(req, items, (t) => String(t.id));
    },
  );

  app.post(
    "/v1/tokens",
    { schema: { body: newTokenSchema, response: replies(TOKEN_WITH_SECRET, 201) } },
    async (req, reply) => {
      const b = req.body as {
        name: string;
        role: string;
        regions?: string[];
        route_prefixes?: string[];
        ttl_s?: number;
        expires_at?: string;
      };
      if (b.ttl_s !== undefined && b.expires_at !== undefined)
        throw new DomainError("VALIDATION_FAILED", "give ttl_s or expires_at, not both", "expires_at");
      if (b.expires_at !== undefined && Date.parse(b.expires_at) <= Date.now())
        throw new DomainError("VALIDATION_FAILED", "expires_at is in the past", "expires_at");
      assertWithinCaller(who(req), await roleGrants(b.role, "role"), b.regions ?? [], b.route_prefixes ?? []);
      const { row, secret } = await tokens.create({
        name: b.name,
        role: b.role,
        regions: b.regions ?? [],
        routePrefixes: b.route_prefixes ?? [],
        ...(b.ttl_s !== undefined ? { ttlS: b.ttl_s } : {}),
        ...(b.expires_at !== undefined ? { expiresAt: new Date(b.expires_at).toISOString() } : {}),
        createdBy: who(req).label,
      });
      reply.code(201).header("cache-control", "no-store");
      return { ...presentToken(row), token: secret };
    },
  );

  app.get("/v1/tokens/:id", { schema: { params: idParam, response: replies(TOKEN) } }, async (req, reply) => {
    const shown = presentToken(await find((req.params as { id: string }).id));
    reply.header("etag", etagOf(shown));
    return shown;
  });

  app.post(
    "/v1/tokens/:id/rotate",
    {
      schema: {
        params: idParam,
        body: { type: "object", additionalProperties: false, properties: { ttl_s: ttl } },
        response: replies(TOKEN_WITH_SECRET),
      },
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const t = await find((req.params as { id: string }).id);
      requireMatch(req, presentToken(t));
      assertWithinCaller(who(req), await roleGrants(t.role, "role"), t.regions, t.route_prefixes);
      const secret = await tokens.rotate(t.id, (req.body as { ttl_s?: number }).ttl_s);
      if (!secret) throw new DomainError("TOKEN_REVOKED", `token ${t.id} is revoked: create a new one`);
      reply.header("cache-control", "no-store");
      return { ...presentToken(await find(String(t.id))), token: secret };
    },
  );

  app.delete(
    "/v1/tokens/:id",
    { schema: { params: idParam, response: replies(noContent, 204) } },
    async (req, reply) => {
      const t = await find((req.params as { id: string }).id);
      requireMatch(req, presentToken(t));
      await tokens.revoke(t.id);
      reply.code(204);
    },
  );

  // Built-in roles first, then custom ones; `after` is the name of the last role shown.
  const rolesQuery = { type: "object", additionalProperties: false, properties: PAGE_QUERY };
  app.get("/v1/roles", { schema: { querystring: rolesQuery, response: replies(pageSchema(ROLE)) } }, async (req) => {
    const all = await tokens.roles();
    const after = (req.query as { after?: string }).after;
    const from = after === undefined ? 0 : all.findIndex((r) => r.name === after) + 1;
    return pageOf(req, all.slice(from), (r) => r.name);
  });

  const findRole = async (name: string) => {
    const role = (await tokens.roles()).find((r) => r.name === name);
    if (!role) throw new DomainError("NOT_FOUND", `no role ${name}`);
    return role;
  };

  app.get("/v1/roles/:name", { schema: { params: nameParam, response: replies(ROLE) } }, async (req, reply) => {
    const role = await findRole((req.params as { name: string }).name);
    reply.header("etag", etagOf(role));
    return role;
  });

  const putRole = { params: nameParam, body: roleSchema, response: replies(ROLE) };
  app.put("/v1/roles/:name", { schema: putRole }, async (req, reply) => {
    const name = (req.params as { name: string }).name;
    // If-Match on a role that does not exist yet matches nothing (RFC 9110 §13.1.1), but `*`.
    const held = (await tokens.roles()).find((r) => r.name === name);
    if (held) requireMatch(req, held);
    else if (req.headers["if-match"] !== undefined && String(req.headers["if-match"]).trim() !== "*")
      throw new DomainError("PRECONDITION_FAILED", `no role ${name} to match`, undefined, { etag: null });
    const b = req.body as { name: string; description?: string; permissions: string[] };
    if (b.name !== name) throw new DomainError("VALIDATION_FAILED", "the body's name must be the path's", "name");
    if (name in BUILTIN_ROLES) throw new DomainError("VALIDATION_FAILED", `${name} is a built-in role`, "name");
    b.permissions.forEach((p, i) => {
      try {
        parseGrant(p);
      } catch (err) {
        throw new DomainError("VALIDATION_FAILED", `permissions.${i} ${(err as Error).message}`, `permissions.${i}`);
      }
    });
    assertWithinCaller(who(req), b.permissions, who(req).regions, who(req).routePrefixes);
    await tokens.putRole(name, b.description ?? "", b.permissions);
    const shown = await findRole(name);
    reply.header("etag", etagOf(shown));
    return shown;
  });

  app.delete(
    "/v1/roles/:name",
    { schema: { params: nameParam, response: replies(noContent, 204) } },
    async (req, reply) => {
      const name = (req.params as { name: string }).name;
      if (name in BUILTIN_ROLES) throw new DomainError("VALIDATION_FAILED", `${name} is a built-in role`, "name");
      requireMatch(req, await findRole(name));
      const users = await tokens.roleUsers(name);
      if (users > 0)
        throw new DomainError("ROLE_IN_USE", `${users} token(s) are bound to role ${name}: revoke them first`);
      if (!(await tokens.deleteRole(name))) throw new DomainError("NOT_FOUND", `no role ${name}`);
      reply.code(204);
    },
  );
}
