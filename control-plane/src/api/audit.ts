import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AdminIdentity } from "../admin-token.js";
import { redactSecrets } from "../config/redact.js";
import type { Logger } from "../log.js";
import type { AuditEntry, Store } from "../store/store.js";
import { digits, queryInt } from "./query.js";
import { anyValue, int, list, nullable, obj, replies, str, time } from "./response-schemas.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The admin token that authenticated this `/v1` request (set by the auth hook). */
    admin: AdminIdentity | undefined;
    /** The resource as `GET` showed it before a PUT/PATCH/DELETE (audit log), if it existed. */
    auditBefore: unknown;
  }
}

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Before/after larger than this (bytes of JSON) are stored as a size note, not in full. */
const MAX_STATE_BYTES = 64 * 1024;
/** Header the web admin sets so the log can say a change came from the UI (its own statement). */
export const CLIENT_HEADER = "x-palisade-client";

/** `/v1/rollouts/:id/pause` → `rollouts/pause`; `/v1/config/versions` → `config/versions`. */
export function kindOf(routeUrl: string): string {
  return routeUrl
    .replace(/^\/v1\//, "")
    .split("/")
    .filter((s) => s !== "" && !s.startsWith(":"))
    .join("/");
}

function bounded(state: unknown): unknown {
  if (state === null || state === undefined) return null;
  const json = JSON.stringify(state);
  return json.length > MAX_STATE_BYTES ? { truncated: true, bytes: json.length } : state;
}

function field(state: unknown, name: string): string | null {
  if (!state || typeof state !== "object") return null;
  const v = (state as Record<string, unknown>)[name];
  return typeof v === "string" || typeof v === "number" ? String(v) : null;
}

function parsePayload(payload: unknown): unknown {
  if (typeof payload !== "string" || payload === "") return null;
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}

const auditQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    kind: { type: "string", minLength: 1, maxLength: 128 },
    resource: { type: "string", minLength: 1, maxLength: 256 },
    actor: { type: "string", minLength: 1, maxLength: 64 },
    since: { type: "string", format: "date-time" },
    until: { type: "string", format: "date-time" },
    before_id: digits,
    limit: digits,
  },
} as const;

/**
 * The audit log, in one place: every successful change made through the admin
 * API (POST, PUT, PATCH or DELETE under `/v1` answered 2xx) is recorded with who
 * (the admin token's identity, never the token), when, what (method, path, kind,
 * resource id and name) and the state before and after, secrets redacted.
 *
 * - before: for PUT/PATCH/DELETE, what `GET` on the same URL answered just before
 *   the handler ran (an in-process request, so the UI and API views are equal);
 * - after: the change's own API answer (null for a 204).
 * Refused changes (4xx/5xx), a publish that created nothing (`created: false`) and a sync that
 * changed nothing or was a dry run (`changed: false`) change nothing and are not recorded. A failure to write the log is logged, and the
 * change (already committed) is still answered.
 *
 * Also serves `GET /v1/audit?kind&resource&actor&since&until&before_id&limit`:
 * `{items: AuditEntry[], next_before_id: number | null}`, newest first (limit
 * default 100, at most 1000; pass `next_before_id` back as `before_id` for the next page).
 */
export function registerAudit(app: FastifyInstance, store: Store, log: Logger): void {
  app.decorateRequest("admin", undefined);
  app.decorateRequest("auditBefore", undefined);

  app.addHook("preHandler", async (req) => {
    if (req.method !== "PUT" && req.method !== "PATCH" && req.method !== "DELETE") return;
    if (!req.admin) return;
    const r = await app.inject({
      method: "GET",
      url: req.url,
      headers: { authorization: req.headers.authorization ?? "" },
    });
    req.auditBefore = r.statusCode === 200 ? parsePayload(r.body) : undefined;
  });

  app.addHook("onSend", async (req, reply, payload) => {
    if (!CHANGES.has(req.method) || !req.admin || reply.statusCode >= 400) return payload;
    const routeUrl = req.routeOptions.url;
    if (!routeUrl?.startsWith("/v1/")) return payload;
    try {
      await record(req, reply.statusCode, routeUrl, payload);
    } catch (err) {
      log.error({ err, method: req.method, url: routeUrl }, "audit log write failed");
    }
    return payload;
  });

  async function record(req: FastifyRequest, status: number, routeUrl: string, payload: unknown): Promise<void> {
    const after = req.method === "DELETE" ? null : parsePayload(payload);
    // A publish that created nothing, a sync that changed nothing (or a dry run): nothing to record.
    const said = (after ?? {}) as { created?: unknown; changed?: unknown };
    if (said.created === false || said.changed === false) return;
    const before = req.auditBefore ?? null;
    const params = Object.values((req.params ?? {}) as Record<string, string>);
    const state = after ?? before;
    const entry: Omit<AuditEntry, "id"> = {
      at: new Date().toISOString(),
      actor: req.admin!,
      source: req.headers[CLIENT_HEADER] === "web-admin" ? "ui" : "api",
      method: req.method,
      path: req.url.split("?")[0]!,
      kind: kindOf(routeUrl),
      resource_id: field(state, "id") ?? field(state, "version") ?? params.at(-1) ?? null,
      resource_name: field(state, "name"),
      status,
      before: bounded(redactSecrets(before)),
      after: bounded(redactSecrets(after)),
    };
    await store.insertAudit(entry);
  }

  const entry = obj(
    {
      id: int,
      at: time,
      actor: obj({ id: str, label: str, fingerprint: str, role: nullable("string") }, ["id", "label"]),
      source: { type: "string", enum: ["api", "ui"] },
      method: str,
      path: str,
      kind: str,
      resource_id: nullable("string"),
      resource_name: nullable("string"),
      status: int,
      before: { ...anyValue, description: "the resource before (secrets redacted), or null" },
      after: { ...anyValue, description: "the answer (secrets redacted), or null" },
    },
    ["id", "at", "actor", "method", "path", "kind", "status"],
  );
  const page = obj(
    { items: list(entry), next_before_id: nullable("integer", "the before_id of the next page, or null at the end") },
    ["items", "next_before_id"],
  );
  app.get("/v1/audit", { schema: { querystring: auditQuery, response: replies(page) } }, async (req) => {
    const q = req.query as {
      kind?: string;
      resource?: string;
      actor?: string;
      since?: string;
      until?: string;
    };
    const limit = queryInt(req.query, "limit", 1, 1000) ?? 100;
    const beforeId = queryInt(req.query, "before_id", 1, Number.MAX_SAFE_INTEGER);
    const items = await store.listAudit({
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.resource ? { resource: q.resource } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
      ...(beforeId ? { beforeId } : {}),
      limit,
    });
    return { items, next_before_id: items.length === limit ? items.at(-1)!.id : null };
  });
}
