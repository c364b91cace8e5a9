import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { softwareVersion } from "../version.js";
import { KINDS } from "./resource-kinds.js";

/** Where the browsable UI is served (its files come from the @fastify/swagger-ui package: no CDN). */
export const DOCS_PREFIX = "/v1/docs";

const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: 'stable error code (control-plane/README.md "Error codes")' },
        message: { type: "string" },
        field: { type: "string", description: "dotted path of the field at fault" },
      },
      additionalProperties: true,
    },
  },
} as const;

const anyObject = { type: "object", additionalProperties: true } as const;
const stamps = {
  id: { type: "string" },
  created_at: { type: "string", format: "date-time" },
  updated_at: { type: "string", format: "date-time" },
} as const;

/** A resource as the API answers it: its body schema, plus the fields the server adds. */
function shown(body: { properties: object; required?: readonly string[] }): object {
  return {
    ...body,
    additionalProperties: true,
    properties: { ...body.properties, ...stamps },
    required: [...(body.required ?? []), "id", "created_at", "updated_at"],
  };
}

/** A page of a list: `{items, next}`. */
const pageOf = (item: object) => ({
  type: "object",
  required: ["items"],
  properties: {
    items: { type: "array", items: item },
    next: { type: ["string", "null"], description: "URL of the next page (with limit), or null" },
  },
});

/**
 * The answers the document describes, by `METHOD url` (fastify route patterns). Only the
 * document carries them: handlers keep serializing with JSON.stringify, so a shape documented
 * here never filters a field out of an answer.
 */
function answers(): Map<string, object> {
  const m = new Map<string, object>();
  for (const k of KINDS) {
    const one = shown(k.schema as { properties: object; required?: readonly string[] });
    m.set(`GET /v1/${k.kind}`, pageOf(one));
    for (const method of ["POST"]) m.set(`${method} /v1/${k.kind}`, one);
    for (const method of ["GET", "PUT"]) m.set(`${method} /v1/${k.kind}/:id`, one);
  }
  return m;
}

/**
 * Describes the admin API with @fastify/swagger: an OpenAPI 3.1 document generated from the
 * route schemas (bodies, parameters, query strings) and the answers above, served at
 * `/v1/openapi.json`, with a browsable UI at `/v1/docs` (swagger-ui, files from the package).
 * Both are public: the description is no secret (the endpoints still need a token). Register
 * before any route: the document lists the routes registered after it (routes-walk test:
 * openapi.test.ts). The web admin's API types are generated from this document
 * (web-admin/scripts/api-types.mjs).
 */
export function registerOpenApi(app: FastifyInstance): void {
  const shapes = answers();
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(DOCS_PREFIX)) route.config = { ...(route.config as object), public: true } as never;
  });
  app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Palisade control plane admin API",
        version: softwareVersion(),
        description:
          'Draft config, versions, rollouts, the fleet, tokens and the audit log. Every endpoint needs `Authorization: Bearer <token>` whose role grants its permission (control-plane/README.md "Tokens and roles"). Errors answer `{"error": {"code", "message", "field"?}}`.',
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => {
      const s = { ...(schema ?? {}) } as Record<string, unknown>;
      if (!url.startsWith("/v1/") && url !== "/healthz") return { schema: { ...s, hide: true }, url };
      const method = Array.isArray(route.method) ? route.method[0] : route.method;
      const tag = url.split("/")[2] ?? "health";
      const ok = shapes.get(`${method} ${url}`) ?? anyObject;
      if (!s.response)
        s.response = {
          [method === "POST" && !url.includes("/:") ? "2XX" : "200"]: ok,
          "4XX": errorBody,
        };
      if (!s.tags) s.tags = [tag];
      return { schema: s as never, url };
    },
  });
  app.get("/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true, uiConfig: { deepLinking: true } });
}
