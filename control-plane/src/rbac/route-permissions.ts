/**
 * What each admin API endpoint needs, in one table: the permission (resource × verb) and, where
 * the answer depends on the request, the finer check made once the body is read
 * (authorize.ts). An endpoint this table does not know needs `*:*` (admin only): a route added
 * without an entry is closed, never open (route-permissions.test.ts lists every registered route).
 */

/** A finer check made after the body is parsed (see authorize.ts). */
export type ScopeCheck =
  /** policies: the type in the body and the stored type must each be granted (`policies/jwt:write`). */
  | "policy-type"
  /** routes: every path of the body and of the stored route lies under the token's route prefixes. */
  | "route-paths"
  /** nodes: the node's region is one of the token's regions. */
  | "node-region"
  /** join tokens: the body's region is one of the token's regions. */
  | "join-token-region"
  /** a new rollout: every stage selects regions, all of them the token's. */
  | "rollout-start-regions"
  /** a rollout action: every stage of the rollout selects only the token's regions. */
  | "rollout-regions"
  /** publish: a region-bound token only stores a version (`deploy: "none"`), never deploys to every region. */
  | "publish-deploy";

/** What an endpoint needs: `null` for any valid token. */
export type Requirement = { resource: string; verb: string; check?: ScopeCheck } | null;

const need = (resource: string, verb: string, check?: ScopeCheck): Requirement => ({
  resource,
  verb,
  ...(check ? { check } : {}),
});

/** Draft kinds served by the generic CRUD routes, and the finer check of their writes. */
const KIND_CHECKS: Readonly<Record<string, ScopeCheck | undefined>> = {
  upstreams: undefined,
  routes: "route-paths",
  policies: "policy-type",
  consumers: undefined,
  certificates: undefined,
  "rule-sets": undefined,
};

const ROLLOUT_ACTIONS = new Set(["pause", "resume", "promote", "abort"]);

/** Endpoints any valid token may call (its own identity, what the server serves). */
const ANY_TOKEN = new Set(["GET /v1/info", "GET /v1/tokens/self"]);

/**
 * The requirement of one endpoint.
 * @param method HTTP method
 * @param url the route's pattern as registered (`/v1/routes/:id`), not the request path
 */
export function requirementOf(method: string, url: string): Requirement {
  if (ANY_TOKEN.has(`${method} ${url}`)) return null;
  const read = method === "GET" || method === "HEAD";
  const parts = url.replace(/^\/v1\//, "").split("/");
  const [head, second, third] = parts;
  if (head === undefined) return need("*", "*");
  if (head in KIND_CHECKS && parts.length <= 2 && (second === undefined || second === ":id"))
    return read ? need(head, "read") : need(head, "write", KIND_CHECKS[head]);
  switch (head) {
    case "consumers":
      if (third === "credentials") return need("consumers", read ? "read" : "write");
      break;
    case "settings":
      return need("settings", read ? "read" : "write");
    case "config":
      if (url === "/v1/config/versions" && method === "POST") return need("config", "publish", "publish-deploy");
      if (url === "/v1/config/versions/:version/export") return need("config", "export");
      if (url === "/v1/config/sync") return need("config", "read");
      if (read) return need("config", "read");
      break;
    case "rollouts":
      if (read) return need("rollouts", "read");
      if (url === "/v1/rollouts") return need("rollouts", "write", "rollout-start-regions");
      if (parts.length === 3 && ROLLOUT_ACTIONS.has(third!)) return need("rollouts", "write", "rollout-regions");
      break;
    case "nodes":
    case "regions":
    case "fleet":
      if (read) return need("nodes", "read");
      if (url === "/v1/nodes/join-tokens") return need("nodes", "write", "join-token-region");
      return need("nodes", "write", "node-region");
    case "audit":
      if (read) return need("audit", "read");
      break;
    case "auth":
      // OIDC sign-in: registered public (config.public), before any token exists.
      return null;
    case "rule-sets":
      // The rule lookup of a rule set.
      if (read && third === "rules") return need("rule-sets", "read");
      break;
    case "security":
    case "security-events":
      if (read) return need("security", "read");
      break;
    case "anomalies":
      return need("anomalies", read ? "read" : "write");
    case "telemetry":
      return need("telemetry", read ? "read" : "write");
    case "tokens":
    case "roles":
      return need("tokens", read ? "read" : "write");
  }
  return need("*", "*");
}
