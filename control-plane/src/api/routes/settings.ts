import type { FastifyInstance } from "fastify";
import { ROUTE_ONLY_POLICY_TYPES } from "../../config/policies/policy-types.js";
import { settingsSchema } from "../../config/settings.js";
import { DomainError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { etagOf, requireMatch } from "../resource-page.js";
import { answerOf, replies } from "../response-schemas.js";

/**
 * `GET /v1/settings` and `PUT /v1/settings`: snapshot-wide draft settings, published with the
 * next version like any draft edit:
 * - `global_policies`: policies (by id or name, stored as ids) applied to every route, in this
 *   order, before the route's own (a route that lists one of them again does not run it twice);
 * - `merge_slashes`: merge repeated slashes in request paths (`/a//b` → `/a/b`) instead of
 *   refusing them; a route's own `merge_slashes` wins;
 * - `max_body_bytes`: the request body limit (bytes, 0 = none) of routes without their own and
 *   without a `request-size` policy that sets one; unset, each node's `--max-body-bytes` (8 MiB).
 * Route-level policy types (`canary`, `mirror`) cannot be global; at most one `waf` policy is (a
 * route's own waf policy replaces it on that route).
 * `PUT` replaces the whole object; omitted fields return to their defaults. `GET` answers an
 * `ETag`; `PUT` honours `If-Match` (412 PRECONDITION_FAILED).
 */
export function registerSettingsRoutes(app: FastifyInstance, store: Store): void {
  const shown = replies({
    ...(answerOf(settingsSchema) as object),
    required: ["global_policies", "merge_slashes"],
    description: "global_policies as ids",
  });
  app.get("/v1/settings", { schema: { response: shown } }, async (_req, reply) => {
    const shown = present(await store.getSettings());
    reply.header("etag", etagOf(shown));
    return shown;
  });

  app.put("/v1/settings", { schema: { body: settingsSchema, response: shown } }, async (req, reply) => {
    const body = req.body as { global_policies?: string[]; merge_slashes?: boolean; max_body_bytes?: number };
    const shown = await store.transaction(async () => {
      requireMatch(req, present(await store.getSettings()));
      return present(await writeSettings(store, body));
    });
    reply.header("etag", etagOf(shown));
    return shown;
  });
}

/**
 * Resolves and stores the draft settings (policies by id or name → ids; route-level types and
 * duplicates and a second waf policy refused). Call inside a transaction.
 * @returns what was stored
 * @throws DomainError REFERENCE_NOT_FOUND / VALIDATION_FAILED naming `global_policies.<i>`
 */
export async function writeSettings(
  store: Store,
  body: { global_policies?: string[]; merge_slashes?: boolean; max_body_bytes?: number },
): Promise<Record<string, unknown>> {
  const ids: string[] = [];
  const types: unknown[] = [];
  for (const [i, ref] of (body.global_policies ?? []).entries()) {
    const p = await store.getResource("policies", ref);
    if (!p)
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        `no policy named or with id ${JSON.stringify(ref)}`,
        `global_policies.${i}`,
      );
    if (ROUTE_ONLY_POLICY_TYPES.includes(p.body.type as string))
      throw new DomainError(
        "VALIDATION_FAILED",
        `a ${String(p.body.type)} policy is route-level: attach it to routes`,
        `global_policies.${i}`,
      );
    ids.push(p.id);
    types.push(p.body.type);
  }
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i)
      throw new DomainError("VALIDATION_FAILED", "a policy is listed twice", `global_policies.${i}`);
  });
  // One WAF runs per request: the global list holds at most one waf policy.
  const wafs = types.map((t, i) => [t, i] as const).filter(([t]) => t === "waf");
  if (wafs.length > 1)
    throw new DomainError(
      "VALIDATION_FAILED",
      "the global policies take one waf policy",
      `global_policies.${wafs[1]![1]}`,
    );
  const stored = {
    global_policies: ids,
    merge_slashes: body.merge_slashes ?? false,
    ...(body.max_body_bytes !== undefined ? { max_body_bytes: body.max_body_bytes } : {}),
  };
  await store.putSettings(stored);
  return stored;
}

/** The settings as the API shows them. */
export function present(s: Record<string, unknown>): Record<string, unknown> {
  return {
    global_policies: (s.global_policies as string[] | undefined) ?? [],
    merge_slashes: s.merge_slashes ?? false,
    ...(s.max_body_bytes !== undefined ? { max_body_bytes: s.max_body_bytes } : {}),
  };
}
