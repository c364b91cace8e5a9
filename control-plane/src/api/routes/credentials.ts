import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { prepareCredential, presentCredential } from "../../config/consumers/credentials.js";
import { credentialSchema } from "../../config/consumers/schema.js";
import { DomainError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { etagOf, PAGE_QUERY, pageOf, requireMatch } from "../resource-page.js";
import { noContent, obj, pageOf as pageSchema, replies, str, time } from "../response-schemas.js";

const params = {
  type: "object",
  required: ["id"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: 64 },
    credentialId: { type: "string", minLength: 1, maxLength: 64 },
  },
} as const;

/** A credential as presentCredential shows it: its type's fields (never a key's hash). */
const CREDENTIAL = obj(
  {
    id: str,
    consumer_id: str,
    type: { type: "string", enum: ["api-key", "jwt", "client-cert"] },
    key_prefix: { type: "string", description: "api-key: the key's first characters" },
    created_at: time,
  },
  ["id", "consumer_id", "type", "created_at"],
);

/** The answer to creating a credential: an API key's `key` is in this answer only. */
const CREATED = obj(
  { ...(CREDENTIAL as { properties: object }).properties, key: { type: "string", description: "api-key: shown once" } },
  ["id", "consumer_id", "type", "created_at"],
);

/**
 * Credentials of a consumer, under `/v1/consumers/{id}/credentials` (`{id}` is the consumer's id
 * or name): list, create (201), read, delete (204). Creating an `api-key` credential generates
 * the key and returns it in that one answer (`key`, with `Cache-Control: no-store`); afterwards
 * only `key_prefix` is shown. Like every draft change, credentials reach the nodes with the
 * next published version; deleting one revokes it then.
 */
export function registerCredentialRoutes(app: FastifyInstance, store: Store): void {
  const base = "/v1/consumers/:id/credentials";
  const consumer = async (idOrName: string) => {
    const c = await store.getResource("consumers", idOrName);
    if (!c) throw new DomainError("NOT_FOUND", `no consumer ${JSON.stringify(idOrName)}`);
    return c;
  };

  const listQuery = {
    type: "object",
    additionalProperties: false,
    properties: { ...PAGE_QUERY, type: { type: "string", enum: ["api-key", "jwt", "client-cert"] } },
  } as const;
  app.get(
    base,
    { schema: { params, querystring: listQuery, response: replies(pageSchema(CREDENTIAL)) } },
    async (req) => {
      const c = await consumer((req.params as { id: string }).id);
      const q = req.query as { after?: string; type?: string };
      // Oldest first; the cursor is the position of the last credential shown.
      const all = (await store.listCredentials(c.id)).filter((x) => !q.type || x.type === q.type);
      const from = q.after === undefined ? 0 : all.findIndex((x) => x.id === q.after) + 1;
      return pageOf(req, all.slice(from).map(presentCredential), (x) => x.id as string);
    },
  );

  app.post(
    base,
    { schema: { params, body: credentialSchema, response: replies(CREATED, 201) } },
    async (req, reply) => {
      const prepared = prepareCredential(req.body as Record<string, unknown>);
      const saved = await store.transaction(async () => {
        const c = await consumer((req.params as { id: string }).id);
        if (await store.credentialIdentityTaken(prepared.identity))
          throw new DomainError("CREDENTIAL_CONFLICT", "another credential already has this identity");
        const cred = {
          id: randomUUID(),
          consumer_id: c.id,
          type: prepared.type,
          body: prepared.body,
          created_at: new Date().toISOString(),
        };
        await store.insertCredential(cred, prepared.identity);
        return cred;
      });
      reply.code(201);
      if (prepared.key !== undefined) {
        // The only answer that ever holds the key: no cache may keep it.
        reply.header("cache-control", "no-store");
        return { ...presentCredential(saved), key: prepared.key };
      }
      return presentCredential(saved);
    },
  );

  app.get(`${base}/:credentialId`, { schema: { params, response: replies(CREDENTIAL) } }, async (req, reply) => {
    const p = req.params as { id: string; credentialId: string };
    const cred = await store.getCredential((await consumer(p.id)).id, p.credentialId);
    if (!cred) throw new DomainError("NOT_FOUND", `no credential ${JSON.stringify(p.credentialId)}`);
    const shown = presentCredential(cred);
    reply.header("etag", etagOf(shown));
    return shown;
  });

  app.delete(`${base}/:credentialId`, { schema: { params, response: replies(noContent, 204) } }, async (req, reply) => {
    const p = req.params as { id: string; credentialId: string };
    await store.transaction(async () => {
      const owner = (await consumer(p.id)).id;
      const cred = await store.getCredential(owner, p.credentialId);
      if (!cred) throw new DomainError("NOT_FOUND", `no credential ${JSON.stringify(p.credentialId)}`);
      requireMatch(req, presentCredential(cred));
      await store.deleteCredential(owner, p.credentialId);
    });
    reply.code(204);
  });
}
