import { fromBinary, toJson } from "@bufbuild/protobuf";
import { type Snapshot, SnapshotSchema } from "@palisade/proto";
import type { FastifyInstance } from "fastify";
import { type Publisher, readDraft } from "../../config/publisher.js";
import { redactSnapshotJson } from "../../config/redact.js";
import { publishSchema } from "../../config/schemas.js";
import { buildSnapshot } from "../../config/snapshot.js";
import { ApiError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { digits, queryInt } from "../query.js";

/**
 * `POST /v1/config/versions` publishes the draft as an immutable version
 * (201, or 200 with `created: false` when nothing changed since the latest);
 * `GET /v1/config/versions` lists them newest first; `GET /v1/config/versions/{n}`
 * returns one with its snapshot (secrets redacted); `GET /v1/config/draft` returns the
 * draft built as the next version would be (same JSON form, same redaction), its hash,
 * and whether it differs from the latest version (`changed`), so a client can diff them.
 */
export function registerVersionRoutes(app: FastifyInstance, store: Store, publisher: Publisher): void {
  app.post(
    "/v1/config/versions",
    {
      schema: { body: publishSchema },
      // A bare `curl -X POST` (no body) publishes with an empty message.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as { message?: string };
      const r = publisher.publish(body.message ?? "");
      reply.code(r.created ? 201 : 200);
      return { ...r.version, created: r.created };
    },
  );

  app.get(
    "/v1/config/versions",
    {
      schema: {
        querystring: { type: "object", properties: { limit: digits } },
      },
    },
    async (req) => ({ items: store.listVersions(queryInt(req.query, "limit", 1, 1000) ?? 100) }),
  );

  app.get(
    "/v1/config/versions/:version",
    {
      schema: {
        params: {
          type: "object",
          properties: { version: { type: "string", pattern: "^[1-9][0-9]{0,14}$", description: "a version number" } },
        },
      },
    },
    async (req) => {
      const n = Number((req.params as { version: string }).version);
      const row = store.getVersion(n);
      if (!row) throw new ApiError("NOT_FOUND", `no config version ${n}`);
      const json = snapshotJson(fromBinary(SnapshotSchema, row.snapshot));
      return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at, snapshot: json };
    },
  );

  app.get("/v1/config/draft", async () => {
    const { snapshot, hash } = buildSnapshot(readDraft(store));
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
 * A snapshot as the API shows it: protobuf JSON with HMAC secrets of inline JWKS, introspection
 * client secrets, Redis passwords, certificate private keys and API key hashes redacted (see redactSnapshotJson).
 */
function snapshotJson(snapshot: Snapshot): Record<string, unknown> {
  return redactSnapshotJson(toJson(SnapshotSchema, snapshot) as object) as Record<string, unknown>;
}
