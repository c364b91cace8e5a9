import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { softwareVersion } from "../version.js";

/** Where the browsable UI is served (its files come from the @fastify/swagger-ui package: no CDN). */
export const DOCS_PREFIX = "/v1/docs";

/**
 * Describes the admin API with @fastify/swagger: an OpenAPI 3.1 document generated from the
 * route schemas (bodies, parameters, query strings, and every answer: `schema.response`, see
 * response-schemas.ts), served at
 * `/v1/openapi.json`, with a browsable UI at `/v1/docs` (swagger-ui, files from the package).
 * Both are public: the description is no secret (the endpoints still need a token). Register
 * before any route: the document lists the routes registered after it (routes-walk test:
 * openapi.test.ts, which also requires every route to describe its answers). The web admin's API types are generated from this document
 * (web-admin/scripts/api-types.mjs).
 */
export function registerOpenApi(app: FastifyInstance): void {
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
    transform: ({ schema, url }) => {
      const s = { ...(schema ?? {}) } as Record<string, unknown>;
      if (!url.startsWith("/v1/") && url !== "/healthz") return { schema: { ...s, hide: true }, url };
      const tag = url.split("/")[2] ?? "health";
      if (!s.tags) s.tags = [tag];
      return { schema: s as never, url };
    },
  });
  app.get("/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true, uiConfig: { deepLinking: true } });
}
