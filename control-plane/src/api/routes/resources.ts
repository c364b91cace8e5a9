import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import type { KindSpec } from "../resource-kinds.js";

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

/**
 * Registers CRUD for one draft resource kind under `/v1/<kind>`:
 * list, create (201), read, replace (PUT), delete (204). `{id}` accepts the id or the name.
 * Edits change the draft only; `POST /v1/config/versions` publishes it.
 */
export function registerResourceRoutes(app: FastifyInstance, store: Store, spec: KindSpec): void {
  const base = `/v1/${spec.kind}`;
  const find = async (idOrName: string) => {
    const r = await store.getResource(spec.kind, idOrName);
    if (!r) throw new ApiError("NOT_FOUND", `no ${spec.noun} ${JSON.stringify(idOrName)}`);
    return r;
  };
  const present = (r: Parameters<KindSpec["present"]>[0]) => spec.present(r, store);
  const writable = (r: Parameters<KindSpec["present"]>[0]) => {
    const reason = spec.readOnly?.(r);
    if (reason !== undefined) throw new ApiError("RULE_SET_READ_ONLY", reason);
  };
  const limit = spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {};
  const split = (body: Record<string, unknown>) => {
    const { name, ...rest } = body;
    return { name: name as string, rest };
  };

  app.get(base, async () => ({
    items: await Promise.all((await store.listResources(spec.kind)).map(present)),
  }));

  app.post(base, { schema: { body: spec.schema }, ...limit }, async (req, reply) => {
    const { name, rest } = split(req.body as Record<string, unknown>);
    const saved = await store.transaction(async () => {
      if (await store.nameTaken(spec.kind, name))
        throw new ApiError("NAME_CONFLICT", `${spec.noun} ${name} already exists`, "name");
      return store.insertResource(spec.kind, randomUUID(), name, await spec.normalize(rest, store));
    });
    reply.code(201);
    return present(saved);
  });

  app.get(`${base}/:id`, { schema: { params: idParam } }, async (req) =>
    present(await find((req.params as { id: string }).id)),
  );

  app.put(`${base}/:id`, { schema: { params: idParam, body: spec.schema }, ...limit }, async (req) => {
    const { name, rest } = split(req.body as Record<string, unknown>);
    return store.transaction(async () => {
      const current = await find((req.params as { id: string }).id);
      writable(current);
      if (await store.nameTaken(spec.kind, name, current.id))
        throw new ApiError("NAME_CONFLICT", `${spec.noun} ${name} already exists`, "name");
      await store.updateResource(spec.kind, current.id, name, await spec.normalize(rest, store, current.id));
      return present(await find(current.id));
    });
  });

  app.delete(`${base}/:id`, { schema: { params: idParam } }, async (req, reply) => {
    await store.transaction(async () => {
      const current = await find((req.params as { id: string }).id);
      writable(current);
      const users = await spec.referencedBy(current.id, store);
      if (users.length > 0)
        throw new ApiError("RESOURCE_IN_USE", `${spec.noun} ${current.name} is used by ${users.join(", ")}`);
      await store.deleteResource(spec.kind, current.id);
    });
    reply.code(204);
  });
}
