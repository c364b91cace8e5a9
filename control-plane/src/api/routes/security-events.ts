import { EVENT_CATEGORIES } from "@palisade/events";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../errors.js";
import type { SecurityEventIntake } from "../../security-events/event-intake-service.js";
import type { EventCursor, SecurityEventFilter } from "../../store/security-event-store.js";
import { digits, queryInt } from "../query.js";
import { errorBody } from "../response-schemas.js";
import { itemJson, openEventStream } from "./security-event-stream.js";

/** A comma-separated list of values of one filter (each matched exactly; any may match). */
const list = (description: string) =>
  ({
    type: "string",
    minLength: 1,
    maxLength: 2048,
    description: `${description}; comma-separated values match any`,
  }) as const;

const filterProperties = {
  category: { ...list(`event category (${EVENT_CATEGORIES.join(", ")})`) },
  type: list("event.action, e.g. authentication_failed, waf_blocked, anomaly_detected"),
  route: list("route id (labels.route)"),
  node: list("node id"),
  region: list("region"),
  client: list("client address (source.ip), exact"),
  consumer: list("consumer id (labels.consumer)"),
  rule_id: list("rule.id: a policy id, a WAF rule id, an anomaly detector"),
  since: { type: "string", format: "date-time", description: "events at or after (@timestamp, ISO 8601)" },
  until: { type: "string", format: "date-time", description: "events before (@timestamp, ISO 8601)" },
} as const;

const listQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...filterProperties,
    limit: { ...digits, description: "1-1000, default 100" },
    cursor: { type: "string", pattern: "^[0-9]{1,15}\\.[0-9]{1,15}$", description: "next_cursor of the previous page" },
  },
} as const;

const filterQuery = { type: "object", additionalProperties: false, properties: filterProperties } as const;

const streamQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...filterProperties,
    last_event_id: { ...digits, description: "resume after this event (as the Last-Event-ID header)" },
  },
} as const;

const eventItem = {
  type: "object",
  properties: {
    seq: { type: "integer", description: "arrival order; the SSE event id" },
    received_at: { type: "string", format: "date-time" },
    event: {
      type: "object",
      additionalProperties: true,
      description: "the ECS 8.11 document (@palisade/events toEcs), secrets redacted",
    },
  },
} as const;

const counts = { type: "object", additionalProperties: { type: "integer" } } as const;
const top = {
  type: "array",
  items: { type: "object", properties: { value: { type: "string" }, count: { type: "integer" } } },
} as const;

/** Query values: strings; lists split on commas (at most 50 values). */
type Query = Partial<Record<keyof typeof filterProperties | "limit" | "cursor" | "last_event_id", string>>;

function values(q: Query, name: keyof typeof filterProperties): string[] | undefined {
  const raw = q[name];
  if (raw === undefined) return undefined;
  const out = raw
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (out.length === 0 || out.length > 50)
    throw new DomainError("VALIDATION_FAILED", `${name} must list 1 to 50 values`, name);
  return out;
}

/** The filter of a request's query. @throws DomainError VALIDATION_FAILED naming the parameter */
export function filterOf(q: Query): SecurityEventFilter {
  const category = values(q, "category");
  for (const c of category ?? [])
    if (!(EVENT_CATEGORIES as readonly string[]).includes(c))
      throw new DomainError("VALIDATION_FAILED", `category must be one of ${EVENT_CATEGORIES.join(", ")}`, "category");
  const f: { -readonly [K in keyof SecurityEventFilter]: SecurityEventFilter[K] } = {};
  if (category) f.category = category;
  const set = (
    key: "type" | "route" | "node" | "region" | "client" | "consumer" | "ruleId",
    name: keyof typeof filterProperties,
  ) => {
    const v = values(q, name);
    if (v) f[key] = v;
  };
  set("type", "type");
  set("route", "route");
  set("node", "node");
  set("region", "region");
  set("client", "client");
  set("consumer", "consumer");
  set("ruleId", "rule_id");
  if (q.since) f.sinceMs = Date.parse(q.since);
  if (q.until) f.untilMs = Date.parse(q.until);
  if (f.sinceMs !== undefined && f.untilMs !== undefined && f.untilMs <= f.sinceMs)
    throw new DomainError("VALIDATION_FAILED", "until must be after since", "until");
  return f;
}

function wantsStream(req: FastifyRequest): boolean {
  return (req.headers.accept ?? "").split(",").some((a) => a.trim().split(";")[0] === "text/event-stream");
}

/**
 * The security events the nodes sent (issue 17), newest first, filtered:
 * - `GET /v1/security-events?category&type&route&node&region&client&consumer&rule_id&since&until&limit&cursor`
 *   → `{items: [{seq, received_at, event}], next_cursor}` ordered by `@timestamp` (then arrival),
 *   newest first; `next_cursor` (null on the last page) continues the listing. With
 *   `Accept: text/event-stream` the same URL is the live stream below.
 * - `GET /v1/security-events/summary?<filters>` → `{total, by_category, by_type, top_routes,
 *   top_clients, top_rules}` over the matching events.
 * - `GET /v1/security-events/stream?<filters>` → Server-Sent Events (security-event-stream.ts).
 * - `GET /v1/security-events/{event_id}` → `{items: [{seq, received_at, event}]}`: the event a
 *   refusal's body names; 404 `NOT_FOUND` (field `event_id`) when none is stored.
 */
export function registerSecurityEventRoutes(app: FastifyInstance, intake: SecurityEventIntake): void {
  const listHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as Query;
    if (wantsStream(req)) {
      const f = filterOf(q);
      return openEventStream(req, reply, intake, f);
    }
    const f = filterOf(q);
    const limit = queryInt(q, "limit", 1, 1000) ?? 100;
    let before: EventCursor | undefined;
    if (q.cursor) {
      const [at, seq] = q.cursor.split(".").map(Number);
      before = { atMs: at!, seq: seq! };
    }
    const rows = await intake.store.list(f, limit, before);
    const last = rows.length === limit ? rows[rows.length - 1] : undefined;
    const next = last ? `"${last.atMs}.${last.seq}"` : "null";
    reply.type("application/json; charset=utf-8");
    return `{"items":[${rows.map(itemJson).join(",")}],"next_cursor":${next}}`;
  };
  app.get(
    "/v1/security-events",
    {
      schema: {
        summary: "List security events",
        description:
          "Security events from every node (ECS documents), newest @timestamp first, with filters and cursor paging. With Accept: text/event-stream, the live stream (as /v1/security-events/stream).",
        tags: ["security-events"],
        querystring: listQuery,
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: eventItem }, next_cursor: { type: ["string", "null"] } },
          },
          "4XX": errorBody,
          "5XX": errorBody,
        },
      },
    },
    listHandler,
  );

  app.get(
    "/v1/security-events/summary",
    {
      schema: {
        summary: "Count security events",
        description:
          "Counts of the matching events by category and type, and the 10 most frequent routes, clients and rules.",
        tags: ["security-events"],
        querystring: filterQuery,
        response: {
          200: {
            type: "object",
            properties: {
              total: { type: "integer" },
              by_category: counts,
              by_type: counts,
              top_routes: top,
              top_clients: top,
              top_rules: top,
            },
          },
          "4XX": errorBody,
          "5XX": errorBody,
        },
      },
    },
    async (req) => {
      const s = await intake.store.summary(filterOf(req.query as Query));
      return {
        total: s.total,
        by_category: s.byCategory,
        by_type: s.byType,
        top_routes: s.topRoutes,
        top_clients: s.topClients,
        top_rules: s.topRules,
      };
    },
  );

  app.get(
    "/v1/security-events/stream",
    {
      schema: {
        summary: "Follow security events live (Server-Sent Events)",
        description:
          "text/event-stream: each stored event that matches the filters as `id: <seq>`, `event: security-event`, `data: {seq, received_at, event}`; a comment heartbeat every 15 s; Last-Event-ID (or last_event_id) resumes after that event with up to 1,000 missed events.",
        tags: ["security-events"],
        querystring: streamQuery,
        response: { 200: { type: "string", description: "text/event-stream" }, "4XX": errorBody, "5XX": errorBody },
      },
    },
    async (req, reply) => openEventStream(req, reply, intake, filterOf(req.query as Query)),
  );

  app.get(
    "/v1/security-events/:event_id",
    {
      schema: {
        summary: "Read a security event by its id",
        description:
          "The event a refusal's `event_id` names (403 WAF_BLOCKED and the other refusals carry it): `{items: [{seq, received_at, event}]}`, one item unless two nodes drew the same id; 404 NOT_FOUND when none is stored (not yet arrived, or pruned).",
        tags: ["security-events"],
        params: {
          type: "object",
          properties: { event_id: { type: "string", minLength: 1, maxLength: 100 } },
          required: ["event_id"],
        },
        response: {
          200: { type: "object", properties: { items: { type: "array", items: eventItem } } },
          "4XX": errorBody,
          "5XX": errorBody,
        },
      },
    },
    async (req, reply) => {
      const id = (req.params as { event_id: string }).event_id;
      const rows = await intake.store.byEventId(id);
      if (rows.length === 0) throw new DomainError("NOT_FOUND", "no security event with this id is stored", "event_id");
      reply.type("application/json; charset=utf-8");
      return `{"items":[${rows.map(itemJson).join(",")}]}`;
    },
  );
}
