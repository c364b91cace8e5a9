import { createHash } from "node:crypto";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import { encodeSnapshotFile, type Snapshot, SnapshotSchema } from "@palisade/proto";
import type { FastifyInstance } from "fastify";
import { publishSchema } from "../../config/publish-request.js";
import { type Publisher, readDraft } from "../../config/publisher.js";
import { redactSnapshotJson } from "../../config/redact.js";
import { buildSnapshot } from "../../config/snapshot.js";
import { DomainError } from "../../errors.js";
import type { RolloutEngine } from "../../rollouts/engine.js";
import { ShadowingReports } from "../../routing/published-routes.js";
import type { Store } from "../../store/store.js";
import { digits, queryInt } from "../query.js";
import { anyObject, bool, createdOrOk, int, list, nullable, obj, replies, str, time } from "../response-schemas.js";

/** Path parameter `version`: a version number (digits, checked as a string so `1e3` is refused). */
const VERSION_PARAMS = {
  type: "object",
  properties: { version: { type: "string", pattern: "^[1-9][0-9]{0,14}$", description: "a version number" } },
} as const;

/**
 * `POST /v1/config/versions` publishes the draft as an immutable version
 * (201, or 200 with `created: false` when nothing changed since the latest) and, by default
 * (`deploy: "all"`), makes it the stable version every node outside a rollout gets; with
 * `deploy: "none"` the version is only stored, for a rollout (`POST /v1/rollouts`). A deploy to
 * all while a rollout is running or paused is refused (409 ROLLOUT_ACTIVE naming it);
 * `GET /v1/config/versions` lists them newest first, with `stable_version`;
 * `GET /v1/config/versions/{n}`
 * returns one with its snapshot (secrets redacted); `GET /v1/config/draft` returns the
 * draft built as the next version would be (same JSON form, same redaction), its hash,
 * and whether it differs from the latest version (`changed`), so a client can diff them.
 * The publish answer carries `warnings` (`warnings_total` of them in all, at most 100 listed;
 * `warnings_complete: false` when the analysis stopped at its limits): each
 * route that outranks a protected route on some request without its protection types
 * (routing/route-shadowing.ts, `ROUTE_SHADOWS_PROTECTION`). A warning never refuses the publish.
 * `GET /v1/config/versions/{n}/export` answers the version as a snapshot file
 * (proto/src/snapshot-file.ts) that `palisade-dp --config-file` runs from. The export is the
 * node's config, secrets included: it is admin-only and sent as an attachment, like a node's own
 * state file.
 */
/** A version without its snapshot. */
const VERSION = {
  version: int,
  hash: { type: "string", description: "sha256 hex of the snapshot" },
  message: str,
  created_at: time,
};
/** A snapshot as the API shows it (protobuf JSON, secrets redacted, rule set files as digests). */
const SNAPSHOT = { ...anyObject, description: "the snapshot as protobuf JSON, secrets redacted" };

export function registerVersionRoutes(
  app: FastifyInstance,
  store: Store,
  publisher: Publisher,
  engine?: RolloutEngine,
): void {
  const shadowing = new ShadowingReports();
  app.post(
    "/v1/config/versions",
    {
      schema: {
        body: publishSchema,
        response: createdOrOk(
          obj(
            {
              ...VERSION,
              created: { type: "boolean", description: "false: nothing changed since the latest version (200)" },
              deploy: { type: "string", enum: ["all", "none"] },
              stable_version: int,
              warnings: {
                type: "array",
                description: "routes that outrank a protected route without its protecting policies (at most 100)",
                items: obj(
                  {
                    code: { type: "string", enum: ["ROUTE_SHADOWS_PROTECTION"] },
                    route: str,
                    shadowed_route: str,
                    example: { type: "string", description: "a request both routes match that goes to `route`" },
                    missing: { type: "array", items: str, description: "policy types" },
                    missing_policies: { type: "array", items: str, description: "policy names" },
                    message: str,
                  },
                  ["code", "route", "shadowed_route", "example", "missing", "missing_policies", "message"],
                ),
              },
              warnings_total: int,
              warnings_complete: { type: "boolean", description: "false: the analysis stopped at its limits" },
            },
            [
              "version",
              "hash",
              "created",
              "deploy",
              "stable_version",
              "warnings",
              "warnings_total",
              "warnings_complete",
            ],
          ),
        ),
      },
      // A bare `curl -X POST` (no body) publishes with an empty message.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as { message?: string; deploy?: "all" | "none" };
      const deploy = body.deploy ?? "all";
      // Refused before anything is created: a deploy-to-all would bypass the running rollout.
      if (deploy === "all") engine?.assertNoActive();
      const r = await publisher.publish(body.message ?? "");
      if (deploy === "all" && engine && engine.stable().version !== r.version.version)
        await engine.deployToAll(r.version.version);
      reply.code(r.created ? 201 : 200);
      const latest = publisher.latest();
      // The new version's fan-out to the nodes reaches the sockets before the analysis holds the loop.
      await new Promise((resolve) => setImmediate(resolve));
      const report =
        latest?.version === r.version.version
          ? shadowing.reportFor(latest)
          : { warnings: [], total: 0, complete: true };
      return {
        ...r.version,
        created: r.created,
        deploy,
        stable_version: engine ? engine.stable().version : r.version.version,
        warnings: report.warnings,
        warnings_total: report.total,
        warnings_complete: report.complete,
      };
    },
  );

  app.get(
    "/v1/config/versions",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { limit: digits, after: { ...digits, description: "versions older than this one" } },
        },
        response: replies(
          obj(
            {
              items: list(obj(VERSION, ["version", "hash", "message", "created_at"])),
              next: nullable("string", "URL of the next page, or null at the end"),
              stable_version: { type: "integer", description: "the version every node outside a rollout runs" },
            },
            ["items", "next", "stable_version"],
          ),
        ),
      },
    },
    async (req) => {
      // Newest first; without limit the newest 100, as before pagination.
      const limit = queryInt(req.query, "limit", 1, 1000) ?? 100;
      const after = queryInt(req.query, "after", 1, Number.MAX_SAFE_INTEGER);
      const rows = await store.listVersions(limit + 1, after);
      const items = rows.slice(0, limit);
      const q = new URLSearchParams({ limit: String(limit), after: String(items.at(-1)?.version ?? 0) });
      return {
        items,
        next: rows.length > limit ? `/v1/config/versions?${q}` : null,
        stable_version: engine ? engine.stable().version : (publisher.latest()?.version ?? 0),
      };
    },
  );

  const one = obj({ ...VERSION, snapshot: SNAPSHOT }, ["version", "hash", "message", "created_at", "snapshot"]);
  app.get(
    "/v1/config/versions/:version",
    { schema: { params: VERSION_PARAMS, response: replies(one) } },
    async (req) => {
      const n = Number((req.params as { version: string }).version);
      const row = await store.getVersion(n);
      if (!row) throw new DomainError("NOT_FOUND", `no config version ${n}`);
      const stored = fromBinary(SnapshotSchema, row.snapshot);
      // Versions store the settings as the `settings` resource only (what nodes receive); show them in fields 9 and 10 too.
      const carried = stored.settings[0];
      if (carried) {
        stored.globalPolicyIds = [...carried.globalPolicyIds];
        if (carried.requestSettings) stored.requestSettings = carried.requestSettings;
      }
      const json = snapshotJson(stored);
      return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at, snapshot: json };
    },
  );

  const file = {
    description: "the snapshot file (proto/src/snapshot-file.ts) palisade-dp --config-file runs from",
    content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
  };
  const exportSchema = { params: VERSION_PARAMS, response: replies(file) };
  app.get("/v1/config/versions/:version/export", { schema: exportSchema }, async (req, reply) => {
    const n = Number((req.params as { version: string }).version);
    const row = await store.getVersion(n);
    if (!row) throw new DomainError("NOT_FOUND", `no config version ${n}`);
    reply
      .type("application/octet-stream")
      .header("content-disposition", `attachment; filename="palisade-config-v${n}.snapshot"`)
      .header("x-palisade-config-hash", row.hash)
      .header("cache-control", "no-store");
    return encodeSnapshotFile(row.snapshot);
  });

  const draft = obj(
    {
      hash: str,
      latest_version: nullable("integer"),
      latest_hash: nullable("string"),
      changed: { ...bool, description: "the draft differs from the latest version" },
      snapshot: SNAPSHOT,
    },
    ["hash", "latest_version", "latest_hash", "changed", "snapshot"],
  );
  app.get("/v1/config/draft", { schema: { response: replies(draft) } }, async () => {
    const { snapshot, hash } = buildSnapshot(await readDraft(store));
    const latest = publisher.latest();
    return {
      hash,
      latest_version: latest?.version ?? null,
      latest_hash: latest?.hash ?? null,
      changed: hash !== latest?.hash,
      snapshot: snapshotJson(snapshot),
    };
  });
}

/**
 * A snapshot as the API shows it: protobuf JSON, each resource list ordered by id (versions are
 * stored in draft order; the hash does not depend on order), with HMAC secrets of inline JWKS,
 * introspection client secrets, Redis passwords, certificate private keys and API key hashes redacted (see
 * redactSnapshotJson).
 */
function snapshotJson(snapshot: Snapshot): Record<string, unknown> {
  // A WAF rule set is shown by its files' paths, sizes and digests (about 1 MiB of rules is no
  // reading, and a diff then names the files that changed); the contents are left out before
  // rendering (protobuf JSON would spell them in base64).
  const files = snapshot.ruleSets.map((rs) =>
    rs.files.map((f) => ({
      path: f.path,
      bytes: f.content.length,
      sha256: createHash("sha256").update(f.content).digest("hex"),
    })),
  );
  const light = { ...snapshot, ruleSets: snapshot.ruleSets.map((rs) => ({ ...rs, files: [] })) };
  const json = toJson(SnapshotSchema, light as Snapshot) as Record<string, unknown>;
  (json.ruleSets as Array<Record<string, unknown>> | undefined)?.forEach((rs, i) => {
    rs.files = files[i];
  });
  for (const v of Object.values(json))
    if (Array.isArray(v) && typeof v[0] === "object")
      v.sort((a: { id?: string }, b: { id?: string }) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1));
  return redactSnapshotJson(json) as Record<string, unknown>;
}
