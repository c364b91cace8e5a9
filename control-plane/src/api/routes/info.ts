import type { FastifyInstance } from "fastify";
import { POLICY_CONFIG_SCHEMAS } from "../../config/policies/policy-types.js";
import { softwareVersion } from "../../version.js";
import { list, obj, replies, str } from "../response-schemas.js";

const VERSION = softwareVersion();

/**
 * `GET /v1/info`: what this control plane serves, so a client (the web admin)
 * uses only endpoints that exist instead of probing for them:
 * `{name, version, endpoints: ["GET /v1/nodes", "POST /v1/rollouts/:id/:action", …], policy_types: ["jwt", …]}`.
 * Endpoints are collected as routes are registered: call this before registering any route.
 */
export function registerInfoRoute(app: FastifyInstance): void {
  const endpoints = new Set<string>();
  app.addHook("onRoute", (route) => {
    if (!route.url?.startsWith("/v1/")) return;
    for (const m of Array.isArray(route.method) ? route.method : [route.method])
      if (m !== "HEAD") endpoints.add(`${m} ${route.url}`);
  });
  const info = obj(
    {
      name: { type: "string", const: "palisade-cp" },
      version: str,
      endpoints: { ...list(str), description: "`METHOD /v1/path` of every endpoint this control plane serves" },
      policy_types: list(str),
    },
    ["name", "version", "endpoints", "policy_types"],
  );
  app.get("/v1/info", { schema: { response: replies(info) } }, async () => ({
    name: "palisade-cp",
    version: VERSION,
    endpoints: [...endpoints].sort(),
    policy_types: Object.keys(POLICY_CONFIG_SCHEMAS),
  }));
}
