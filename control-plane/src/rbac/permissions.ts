/**
 * The permission model of the admin API (issue 18): a permission is a resource × verb,
 * written `resource[/qualifier]:verb`. A role is a list of permissions; a token is bound to one
 * role and, optionally, to regions (node and rollout operations) and route path prefixes (route
 * edits). Grants may use `*` for the resource or the verb (`*:read`, `routes:*`); a grant on
 * `policies` covers every policy type, `policies/jwt` only that type.
 *
 * | resource | verbs | what |
 * | --- | --- | --- |
 * | `upstreams`, `routes`, `consumers` (and credentials), `certificates`, `settings` | read, write | draft config |
 * | `policies/<type>` | read, write | policies of one type (`policies:write` = every type) |
 * | `rule-sets` | read, write | WAF rule sets (the files waf policies run) |
 * | `security` | read | what the nodes' security layers did: security events (list, summary, live stream), the per-route WAF report |
 * | `telemetry` | read, write | the telemetry config (SIEM sinks, per-node overrides) |
 * | `config` | read, publish, export | versions and the draft; publishing; the version file with secrets |
 * | `rollouts` | read, write | staged rollouts and their actions |
 * | `nodes` | read, write | the fleet; revoke, resync, delete, join tokens |
 * | `audit` | read | the audit log |
 * | `tokens` | read, write | tokens and custom roles |
 */

/** Resources a permission names, with the verbs each takes. */
export const RESOURCE_VERBS: Readonly<Record<string, readonly string[]>> = {
  upstreams: ["read", "write"],
  routes: ["read", "write"],
  policies: ["read", "write"],
  consumers: ["read", "write"],
  certificates: ["read", "write"],
  settings: ["read", "write"],
  config: ["read", "publish", "export"],
  rollouts: ["read", "write"],
  nodes: ["read", "write"],
  audit: ["read"],
  tokens: ["read", "write"],
  "rule-sets": ["read", "write"],
  security: ["read"],
  telemetry: ["read", "write"],
  anomalies: ["read", "write"],
};

/** Policy types that authenticate or filter for security: the `security` role's, and what `sync` refuses to strip from a route without `force`. */
export const SECURITY_POLICY_TYPES: readonly string[] = [
  "jwt",
  "api-key",
  "mtls",
  "introspection",
  "auth-any",
  "ip-restriction",
  "waf",
  "anomaly",
];

/** Policy types whose removal from a route lowers its protection (authentication and WAF). */
export const PROTECTING_POLICY_TYPES: readonly string[] = [
  "jwt",
  "api-key",
  "mtls",
  "introspection",
  "auth-any",
  "waf",
];

const READ_ALL = ["upstreams", "routes", "policies", "consumers", "certificates", "settings", "config", "rollouts"]
  .concat(["nodes", "audit", "rule-sets", "security", "telemetry", "anomalies"])
  .map((r) => `${r}:read`);

/**
 * The built-in roles. `operator` runs traffic (routes, upstreams, every policy, certificates,
 * settings, publish, rollouts, node operations); `security` owns the security policies
 * (authentication, IP rules, WAF, anomaly) and the consumers whose credentials they check, and
 * reads everything else (security events come with the node and region reports);
 * `viewer` reads everything but tokens.
 */
export const BUILTIN_ROLES: Readonly<Record<string, readonly string[]>> = {
  admin: ["*:*"],
  operator: [
    ...READ_ALL,
    "routes:write",
    "upstreams:write",
    "policies:write",
    "rule-sets:write",
    "certificates:write",
    "settings:write",
    "config:publish",
    "rollouts:write",
    "nodes:write",
  ],
  security: [
    ...READ_ALL,
    ...SECURITY_POLICY_TYPES.map((t) => `policies/${t}:write`),
    "rule-sets:write",
    "telemetry:write",
    "anomalies:write",
    "consumers:write",
  ],
  viewer: READ_ALL,
};

/** One parsed permission: `policies/jwt:write` → `{resource: "policies", qualifier: "jwt", verb: "write"}`. */
export interface Permission {
  readonly resource: string;
  readonly qualifier: string | undefined;
  readonly verb: string;
}

const GRANT = /^(\*|[a-z]+(?:-[a-z]+)*)(?:\/([a-z0-9*-]{1,64}))?:(\*|[a-z]+)$/;

/**
 * Parses a grant of a role.
 * @throws Error naming the fault (unknown resource or verb, malformed text)
 */
export function parseGrant(text: string): Permission {
  const m = GRANT.exec(text);
  if (!m) throw new Error(`${JSON.stringify(text)} is not resource[/qualifier]:verb`);
  const [, resource, qualifier, verb] = m as unknown as [string, string, string | undefined, string];
  if (resource !== "*" && !(resource in RESOURCE_VERBS))
    throw new Error(`unknown resource ${JSON.stringify(resource)}`);
  if (qualifier !== undefined && resource !== "policies")
    throw new Error(`only policies take a qualifier (a policy type), not ${resource}`);
  if (verb !== "*" && resource !== "*" && !RESOURCE_VERBS[resource]!.includes(verb))
    throw new Error(`${resource} has no verb ${JSON.stringify(verb)} (${RESOURCE_VERBS[resource]!.join(", ")})`);
  if (verb !== "*" && resource === "*" && !Object.values(RESOURCE_VERBS).some((vs) => vs.includes(verb)))
    throw new Error(`unknown verb ${JSON.stringify(verb)}`);
  return { resource, qualifier: qualifier === "*" ? undefined : qualifier, verb };
}

/** `{resource: "policies", qualifier: "jwt", verb: "write"}` → `policies/jwt:write`. */
export function formatPermission(p: Permission): string {
  return `${p.resource}${p.qualifier ? `/${p.qualifier}` : ""}:${p.verb}`;
}

/**
 * Whether `grants` allow `wanted`. A grant without a qualifier covers every qualifier; a wanted
 * permission without a qualifier (listing policies) is covered by a grant with one only for
 * `read` (a reader of one policy type may list policies).
 */
export function allows(grants: readonly Permission[], wanted: Permission): boolean {
  return grants.some(
    (g) =>
      (g.resource === "*" || g.resource === wanted.resource) &&
      (g.verb === "*" || g.verb === wanted.verb) &&
      (g.qualifier === undefined || g.qualifier === wanted.qualifier),
  );
}

/**
 * Whether a route path lies under a token's prefix, segment-wise: `/orders` covers `/orders`,
 * `/orders/` and `/orders/7`, never `/orders-admin`. A prefix ending in `/` covers what starts with it.
 */
export function underPrefix(path: string, prefix: string): boolean {
  if (prefix === "/" || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith("/") || path[prefix.length] === "/";
}

/** The path strings of a route body's `paths` (`"/a"`, `{prefix}`, `{exact}`). */
export function routePathStrings(paths: unknown): string[] {
  if (!Array.isArray(paths)) return [];
  return paths.map((p) =>
    typeof p === "string"
      ? p
      : String((p as { prefix?: string; exact?: string }).prefix ?? (p as { exact?: string }).exact),
  );
}
