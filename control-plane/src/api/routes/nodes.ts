import type { FastifyInstance } from "fastify";
import type { Publisher } from "../../config/publisher.js";
import { DomainError } from "../../errors.js";
import type { FleetRegistry } from "../../fleet/fleet-registry.js";
import type { NodeIdentity } from "../../pki/node-identity.js";
import type { NodeRow, Store } from "../../store/store.js";
import type { ResyncResult } from "../../sync/stream-session.js";
import { PAGE_QUERY, pageOf } from "../resource-page.js";
import {
  anyObject,
  bool,
  int,
  itemsOf,
  list,
  mapOf,
  noContent,
  nullable,
  obj,
  pageOf as pageSchema,
  replies,
  str,
  time,
} from "../response-schemas.js";

/** What the fleet endpoints read and act on. */
export interface FleetApiDeps {
  store: Store;
  publisher: Publisher;
  fleet?: FleetRegistry | undefined;
  /** Absent when the sync port runs insecure (no join tokens, no certificates). */
  identity?: NodeIdentity | undefined;
  /** Ends a node's stream (revoke, delete). */
  disconnect?: ((nodeId: string, reason: string) => boolean) | undefined;
  /** Sends a node its desired version whole, to compile from scratch (see StreamSession.resync). */
  resync?: ((nodeId: string) => Promise<ResyncResult>) | undefined;
  /** The version a node should hold (stable, or its rollout assignment); default the latest. */
  desiredVersion?: ((nodeId: string) => number) | undefined;
}

/** Status of a node in the inventory. */
type NodeStatus = "connected" | "stale" | "disconnected" | "revoked";

/**
 * A node as the API shows it: the stored facts (applied version, ACK/NACK, blocked version),
 * liveness from the live registry (the stored flag for a stream another replica holds), lag
 * behind the latest version, and its latest report.
 */
function present(
  n: NodeRow,
  latest: number,
  fleet: FleetRegistry | undefined,
  desired?: (id: string) => number,
): Record<string, unknown> {
  // A stream this control plane does not hold may be another replica's (shared database): the stored flag tells.
  const here = fleet?.liveness(n.id);
  const live = here && here !== "disconnected" ? here : n.connected ? "connected" : "disconnected";
  const status: NodeStatus = n.revoked_at ? "revoked" : live;
  const seen = fleet?.lastSeen(n.id);
  return {
    id: n.id,
    region: n.region,
    labels: n.labels,
    status,
    connected: status === "connected" || status === "stale",
    software_version: n.software_version,
    policy_types: n.policy_types,
    features: n.features,
    applied_version: n.applied_version,
    applied_hash: n.applied_hash,
    latest_version: latest,
    desired_version: desired ? desired(n.id) : latest,
    lag: Math.max(0, latest - n.applied_version),
    in_sync: n.applied_version === latest,
    last_ack_at: n.last_ack_at,
    last_nack: n.last_nack,
    blocked: n.blocked,
    report_interval_ms: n.report_interval_ms,
    last_seen_at: seen !== undefined ? new Date(seen).toISOString() : n.last_seen_at,
    first_seen_at: n.first_seen_at,
    certificate: n.cert_serial ? { serial: n.cert_serial, not_after: n.cert_not_after } : null,
    revoked_at: n.revoked_at,
    report: fleet?.latestReport(n.id) ?? null,
  };
}

/** A node as {@link present} shows it. */
const nodeAnswer = obj(
  {
    id: str,
    region: str,
    labels: mapOf(str),
    status: { type: "string", enum: ["connected", "stale", "disconnected", "revoked"] },
    connected: bool,
    software_version: str,
    policy_types: list(str),
    features: list(str),
    applied_version: int,
    applied_hash: str,
    latest_version: int,
    desired_version: { type: "integer", description: "the version the node should hold (stable, or its rollout's)" },
    lag: { type: "integer", description: "versions behind the latest" },
    in_sync: bool,
    last_ack_at: nullable("string"),
    last_nack: {
      ...nullable("object", "the last version the node refused"),
      properties: { version: int, code: str, kind: str, message: str, resource: str, at: str },
    },
    blocked: {
      ...nullable("object", "the latest version the node is not sent: its build lacks features"),
      properties: { version: int, missing: list(str) },
    },
    report_interval_ms: int,
    last_seen_at: nullable("string"),
    first_seen_at: str,
    certificate: { ...nullable("object"), properties: { serial: str, not_after: nullable("string") } },
    revoked_at: nullable("string"),
    report: nullable("object", "the node's latest report (counters, pools, WAF figures)"),
  },
  ["id", "region", "status", "applied_version", "latest_version", "lag", "in_sync"],
);

/** A join token as listed (never the token itself). */
const joinTokenAnswer = obj(
  {
    id: str,
    region: str,
    node_id: nullable("string"),
    expires_at: time,
    created_at: time,
    used_at: nullable("string"),
    used_by: nullable("string"),
  },
  ["id", "region", "expires_at"],
);

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 128 } },
} as const;

const joinTokenSchema = {
  type: "object",
  required: ["region"],
  additionalProperties: false,
  properties: {
    region: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$" },
    ttl_s: { type: "integer", minimum: 1, maximum: 86_400, description: "validity in seconds, default 3600" },
    node_id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$" },
  },
} as const;

/**
 * The fleet: `GET /v1/nodes`, `GET /v1/nodes/{id}` (with report history), `DELETE
 * /v1/nodes/{id}` (revoke, disconnect, forget), `POST /v1/nodes/{id}/revoke` (revoke and
 * disconnect, keep in the inventory), `POST /v1/nodes/join-tokens` (mint a single-use token
 * bound to a region), `GET /v1/nodes/join-tokens` (recent tokens, never the token itself),
 * `GET /v1/regions` (per-region figures and history), `GET /v1/fleet/ca` (the CA certificate
 * nodes trust the sync port with) and `POST /v1/nodes/{id}/resync` (an operator makes a node
 * compile its desired version from scratch, even one it refused; audited like every POST).
 */
export function registerNodeRoutes(app: FastifyInstance, deps: FleetApiDeps): void {
  const { store, publisher, fleet, identity, desiredVersion } = deps;
  const latest = () => publisher.latest()?.version ?? 0;
  const needIdentity = (): NodeIdentity => {
    if (!identity)
      throw new DomainError("SYNC_INSECURE", "the sync port runs insecure (--sync-insecure): nodes have no identity");
    return identity;
  };

  app.get(
    "/v1/nodes",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            ...PAGE_QUERY,
            region: { type: "string", minLength: 1, maxLength: 128, description: "nodes of this region" },
            status: { type: "string", enum: ["connected", "stale", "disconnected", "revoked"] },
            label: {
              type: "string",
              pattern: "^[^=]{1,63}=.{0,256}$",
              description: "key=value: nodes with this label",
            },
          },
        },
        response: replies(pageSchema(nodeAnswer)),
      },
    },
    async (req) => {
      const q = req.query as { after?: string; region?: string; status?: string; label?: string };
      const [lk, lv] = q.label ? [q.label.slice(0, q.label.indexOf("=")), q.label.slice(q.label.indexOf("=") + 1)] : [];
      const items = (await store.listNodes())
        .filter((n) => (!q.region || n.region === q.region) && (lk === undefined || n.labels[lk] === lv))
        .map((n) => present(n, latest(), fleet, desiredVersion))
        .filter((n) => !q.status || n.status === q.status)
        .sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1))
        .filter((n) => q.after === undefined || (n.id as string) > q.after);
      return pageOf(req, items, (n) => n.id as string);
    },
  );

  const minted = obj(
    { ...(joinTokenAnswer as { properties: object }).properties, token: str, ca_certificate_pem: str },
    ["id", "token", "region", "expires_at", "ca_certificate_pem"],
    "the token is shown in this answer only",
  );
  const mintSchema = { body: joinTokenSchema, response: replies(minted, 201) };
  app.post("/v1/nodes/join-tokens", { schema: mintSchema }, async (req, reply) => {
    const body = req.body as { region: string; ttl_s?: number; node_id?: string };
    const minted = await needIdentity().mint(body.region, body.ttl_s ?? 3600, body.node_id);
    reply.code(201);
    return { ...minted, ca_certificate_pem: needIdentity().caCertPem };
  });

  // In the order the store lists them; `after` is the id of the last token shown.
  const tokensQuery = { type: "object", additionalProperties: false, properties: PAGE_QUERY };
  const listTokens = { querystring: tokensQuery, response: replies(pageSchema(joinTokenAnswer)) };
  app.get("/v1/nodes/join-tokens", { schema: listTokens }, async (req) => {
    const all = await needIdentity().listTokens();
    const after = (req.query as { after?: string }).after;
    const from = after === undefined ? 0 : all.findIndex((t) => t.id === after) + 1;
    return pageOf(req, all.slice(from), (t) => t.id);
  });

  const ca = obj({ certificate_pem: str }, ["certificate_pem"]);
  app.get("/v1/fleet/ca", { schema: { response: replies(ca) } }, async () => ({
    certificate_pem: needIdentity().caCertPem,
  }));

  const withHistory = obj({ ...(nodeAnswer as { properties: object }).properties, history: list(anyObject) }, [
    "id",
    "region",
    "status",
    "history",
  ]);
  app.get("/v1/nodes/:id", { schema: { params: idParam, response: replies(withHistory) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const n = await store.getNode(id);
    if (!n) throw new DomainError("NOT_FOUND", `no node ${JSON.stringify(id)}`);
    return { ...present(n, latest(), fleet, desiredVersion), history: fleet?.nodeHistory(id) ?? [] };
  });

  const revoke = async (id: string): Promise<void> => {
    let found: boolean;
    if (identity) found = await identity.revoke(id);
    else {
      found = (await store.getNode(id)) !== undefined;
      if (found) await store.markNodeRevoked(id);
    }
    if (!found) throw new DomainError("NOT_FOUND", `no node ${JSON.stringify(id)}`);
    deps.disconnect?.(id, "this node was revoked");
  };

  app.post("/v1/nodes/:id/revoke", { schema: { params: idParam, response: replies(nodeAnswer) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    await revoke(id);
    const n = await store.getNode(id);
    return n ? present(n, latest(), fleet, desiredVersion) : { id, status: "revoked" };
  });

  // 202 with the node: the update is on its way; the node's ACK or NACK shows in GET /v1/nodes/{id}.
  const resynced = obj({
    ...(nodeAnswer as { properties: object }).properties,
    resync: obj({ version: int, forgotten_nack: nullable("object", "the NACK the resync forgot") }, ["version"]),
  });
  const resyncSchema = { params: idParam, response: replies(resynced, 202) };
  app.post("/v1/nodes/:id/resync", { schema: resyncSchema }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const n = await store.getNode(id);
    if (!n) throw new DomainError("NOT_FOUND", `no node ${JSON.stringify(id)}`);
    const name = JSON.stringify(id);
    const r: ResyncResult = n.revoked_at
      ? { ok: false, reason: "not-open" }
      : ((await deps.resync?.(id)) ?? { ok: false, reason: "not-open" });
    if (!r.ok) {
      if (r.reason === "not-open")
        throw new DomainError(
          "NODE_NOT_CONNECTED",
          `node ${name} has no open config stream (${n.revoked_at ? "revoked" : "disconnected"}): a resync goes over it; a node that connects is sent what it lacks`,
        );
      if (r.reason === "no-version")
        throw new DomainError("NO_CONFIG", `no config version is published for node ${name}`);
      throw new DomainError(
        "NODE_BLOCKED",
        `node ${name} lacks features version ${r.version} uses: ${r.missing.join(", ")}`,
      );
    }
    reply.code(202);
    // The NACK the resync forgot stays in the answer, hence in the audit log.
    return {
      ...present((await store.getNode(id)) ?? n, latest(), fleet, desiredVersion),
      resync: { version: r.version, forgotten_nack: n.last_nack },
    };
  });

  app.delete(
    "/v1/nodes/:id",
    { schema: { params: idParam, response: replies(noContent, 204) } },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      await revoke(id);
      await store.deleteNode(id);
      fleet?.forget(id);
      reply.code(204);
    },
  );

  const region = obj(
    {
      region: str,
      nodes: obj({ total: int, connected: int, stale: int, disconnected: int, revoked: int }),
      applied_versions: { ...mapOf(int), description: "node count by applied version" },
      in_sync: int,
      current: nullable("object", "the latest figures of the region's history"),
      history: list(anyObject),
    },
    ["region", "nodes", "applied_versions", "in_sync", "history"],
  );
  app.get("/v1/regions", { schema: { response: replies(itemsOf(region)) } }, async () => {
    const nodes = await store.listNodes();
    const names = new Set([...nodes.map((n) => n.region), ...(fleet?.regions() ?? [])]);
    const v = latest();
    return {
      items: [...names].sort().map((region) => {
        const mine = nodes.filter((n) => n.region === region).map((n) => present(n, v, fleet));
        const count = (s: NodeStatus) => mine.filter((n) => n.status === s).length;
        const versions: Record<string, number> = {};
        for (const n of mine) versions[String(n.applied_version)] = (versions[String(n.applied_version)] ?? 0) + 1;
        const history = fleet?.regionHistory(region) ?? [];
        return {
          region,
          nodes: {
            total: mine.length,
            connected: count("connected"),
            stale: count("stale"),
            disconnected: count("disconnected"),
            revoked: count("revoked"),
          },
          applied_versions: versions,
          in_sync: mine.filter((n) => n.in_sync && n.status === "connected").length,
          current: history.at(-1) ?? null,
          history,
        };
      }),
    };
  });
}
