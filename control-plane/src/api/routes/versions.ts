import { fromBinary, toJson } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import type { FastifyInstance } from "fastify";
import type { Publisher } from "../../config/publisher.js";
import { REDACTED, redactPolicyConfig } from "../../config/redact.js";
import { publishSchema } from "../../config/schemas.js";
import { ApiError } from "../../errors.js";
import type { Store } from "../../store/store.js";

/**
 * `POST /v1/config/versions` publishes the draft as an immutable version
 * (201, or 200 with `created: false` when nothing changed since the latest);
 * `GET /v1/config/versions` lists them newest first; `GET /v1/config/versions/{n}`
 * returns one with its snapshot (secrets redacted).
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
        querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 1000 } } },
      },
    },
    async (req) => ({ items: store.listVersions((req.query as { limit?: number }).limit ?? 100) }),
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
      const json = toJson(SnapshotSchema, fromBinary(SnapshotSchema, row.snapshot)) as {
        policies?: Array<{ jwt?: { jwksJson?: string }; rateLimit?: { redis?: { password?: string } } }>;
      };
      for (const p of json.policies ?? []) {
        if (p.rateLimit?.redis?.password) p.rateLimit.redis.password = REDACTED;
        if (p.jwt?.jwksJson)
          p.jwt.jwksJson = JSON.stringify(redactPolicyConfig("jwt", { jwks: JSON.parse(p.jwt.jwksJson) }).jwks);
      }
      return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at, snapshot: json };
    },
  );
}
