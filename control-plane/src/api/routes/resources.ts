import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { DomainError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { keepStoredSecrets } from "../kept-secrets.js";
import { filterResources, KIND_FILTERS } from "../resource-filters.js";
import { answerOfKind, type KindSpec } from "../resource-kinds.js";
import { etagOf, PAGE_QUERY, pageOf, requireMatch } from "../resource-page.js";
import { noContent, pageOf as pageSchema, replies } from "../response-schemas.js";

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

/**
 * Registers CRUD for one draft resource kind under `/v1/<kind>`:
 * list (ordered by name; filters of resource-filters.ts; `limit` and the `after` cursor, with a
 * `next` link), create (201), read (with an `ETag`), replace (PUT), delete (204); PUT and DELETE
 * honour `If-Match` (412 PRECONDITION_FAILED, nothing written). `{id}` accepts the id or the name.
 * A secret sent as `[redacted]` (what answers show) keeps the stored one on PUT, and is refused
 * on POST (400 naming the field): it is never stored.
 * Edits change the draft only; `POST /v1/config/versions` publishes it.
 */
export function registerResourceRoutes(app: FastifyInstance, store: Store, spec: KindSpec): void {
  const base = `/v1/${spec.kind}`;
  const find = async (idOrName: string) => {
    const r = await store.getResource(spec.kind, idOrName);
    if (!r) throw new DomainError("NOT_FOUND", `no ${spec.noun} ${JSON.stringify(idOrName)}`);
    return r;
  };
  const present = (r: Parameters<KindSpec["present"]>[0]) => spec.present(r, store);
  const writable = (r: Parameters<KindSpec["present"]>[0]) => {
    const reason = spec.readOnly?.(r);
    if (reason !== undefined) throw new DomainError("RULE_SET_READ_ONLY", reason);
  };
  const limit = spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {};
  const split = (body: Record<string, unknown>) => {
    const { name, ...rest } = body;
    return { name: name as string, rest };
  };

  const listQuery = {
    type: "object",
    additionalProperties: false,
    properties: {
      ...PAGE_QUERY,
      ...Object.fromEntries(Object.entries(KIND_FILTERS[spec.kind] ?? {}).map(([k, f]) => [k, f.schema])),
    },
  };
  const one = answerOfKind(spec);
  app.get(base, { schema: { querystring: listQuery, response: replies(pageSchema(one)) } }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const all = (await store.listResources(spec.kind)).filter((r) => q.after === undefined || r.name > q.after);
    const page = pageOf(req, await filterResources(spec.kind, all, q, store), (r) => r.name);
    return { items: await Promise.all(page.items.map(present)), next: page.next };
  });

  app.post(base, { schema: { body: spec.schema, response: replies(one, 201) }, ...limit }, async (req, reply) => {
    // `[redacted]` (what answers show for a secret) is no secret: a new resource has none to keep.
    const { name, rest } = split(keepStoredSecrets(req.body, undefined) as Record<string, unknown>);
    const saved = await store.transaction(async () => {
      if (await store.nameTaken(spec.kind, name))
        throw new DomainError("NAME_CONFLICT", `${spec.noun} ${name} already exists`, "name");
      return store.insertResource(spec.kind, randomUUID(), name, await spec.normalize(rest, store));
    });
    const shown = await present(saved);
    reply.code(201).header("etag", etagOf(shown));
    return shown;
  });

  app.get(`${base}/:id`, { schema: { params: idParam, response: replies(one) } }, async (req, reply) => {
    const shown = await present(await find((req.params as { id: string }).id));
    reply.header("etag", etagOf(shown));
    return shown;
  });

  const put = { schema: { params: idParam, body: spec.schema, response: replies(one) }, ...limit };
  app.put(`${base}/:id`, put, async (req, reply) => {
    const shown = await store.transaction(async () => {
      const current = await find((req.params as { id: string }).id);
      requireMatch(req, await present(current));
      writable(current);
      // A body read with GET and sent back keeps the stored secrets it shows as `[redacted]`.
      const { name, rest } = split(
        keepStoredSecrets(req.body, { name: current.name, ...current.body }) as Record<string, unknown>,
      );
      if (await store.nameTaken(spec.kind, name, current.id))
        throw new DomainError("NAME_CONFLICT", `${spec.noun} ${name} already exists`, "name");
      await store.updateResource(spec.kind, current.id, name, await spec.normalize(rest, store, current.id));
      return present(await find(current.id));
    });
    reply.header("etag", etagOf(shown));
    return shown;
  });

  app.delete(`${base}/:id`, { schema: { params: idParam, response: replies(noContent, 204) } }, async (req, reply) => {
    await store.transaction(async () => {
      const current = await find((req.params as { id: string }).id);
      requireMatch(req, await present(current));
      writable(current);
      const users = await spec.referencedBy(current.id, store);
      if (users.length > 0)
        throw new DomainError("RESOURCE_IN_USE", `${spec.noun} ${current.name} is used by ${users.join(", ")}`);
      await store.deleteResource(spec.kind, current.id);
    });
    reply.code(204);
  });
}
