import { fromBinary, toJson } from "@bufbuild/protobuf";
import { encodeSnapshotFile, SnapshotSchema } from "@palisade/proto";
import type { FastifyInstance } from "fastify";
import type { Publisher } from "../../config/publisher.js";
import { redactPolicyConfig } from "../../config/redact.js";
import { publishSchema } from "../../config/schemas.js";
import { ApiError } from "../../errors.js";
import type { Store } from "../../store/store.js";

/**
 * `POST /v1/config/versions` publishes the draft as an immutable version
 * (201, or 200 with `created: false` when nothing changed since the latest);
 * `GET /v1/config/versions` lists them newest first; `GET /v1/config/versions/{n}`
 * returns one with its snapshot (secrets redacted); `GET /v1/config/versions/{n}/export` answers
 * the version as a snapshot file (proto/src/snapshot-file.ts) that `palisade-dp --config-file`
 * runs from. The export is the node's config, secrets included: it is admin-only and sent as an
 * attachment, like a node's own state file.
 */
export function registerVersionRoutes(app: FastifyInstance, store: Store, publisher: Publisher): void {
  app.post("/v1/config/versions", { schema: { body: publishSchema } }, async (req, reply) => {
    const body = (req.body ?? {}) as { message?: string };
    const r = publisher.publish(body.message ?? "");
    reply.code(r.created ? 201 : 200);
    return { ...r.version, created: r.created };
  });

  app.get(
    "/v1/config/versions",
    {
      schema: {
        querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 1000 } } },
      },
    },
    async (req) => ({ items: store.listVersions((req.query as { limit?: number }).limit ?? 100) }),
  );

  app.get(
    "/v1/config/versions/:version",
    { schema: { params: { type: "object", properties: { version: { type: "integer", minimum: 1 } } } } },
    async (req) => {
      const n = (req.params as { version: number }).version;
      const row = store.getVersion(n);
      if (!row) throw new ApiError("NOT_FOUND", `no config version ${n}`);
      const json = toJson(SnapshotSchema, fromBinary(SnapshotSchema, row.snapshot)) as Record<string, unknown> & {
        policies?: Array<{ jwt?: { jwksJson?: string } }>;
      };
      // Versions are stored in draft order (the hash does not depend on order): show them by id.
      for (const v of Object.values(json))
        if (Array.isArray(v))
          v.sort((a: { id?: string }, b: { id?: string }) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1));
      for (const p of json.policies ?? [])
        if (p.jwt?.jwksJson)
          p.jwt.jwksJson = JSON.stringify(redactPolicyConfig("jwt", { jwks: JSON.parse(p.jwt.jwksJson) }).jwks);
      return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at, snapshot: json };
    },
  );

  app.get(
    "/v1/config/versions/:version/export",
    { schema: { params: { type: "object", properties: { version: { type: "integer", minimum: 1 } } } } },
    async (req, reply) => {
      const n = (req.params as { version: number }).version;
      const row = store.getVersion(n);
      if (!row) throw new ApiError("NOT_FOUND", `no config version ${n}`);
      reply
        .type("application/octet-stream")
        .header("content-disposition", `attachment; filename="palisade-config-v${n}.snapshot"`)
        .header("x-palisade-config-hash", row.hash)
        .header("cache-control", "no-store");
      return encodeSnapshotFile(row.snapshot);
    },
  );
}
