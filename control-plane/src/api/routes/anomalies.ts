import { isIP } from "node:net";
import type { FastifyInstance } from "fastify";
import type { AnomalyService } from "../../anomaly/anomaly-service.js";
import { anomalyConfigSchema, anomalyResource, type DraftAnomaly } from "../../anomaly/anomaly-settings.js";
import { DomainError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { etagOf, requireMatch } from "../resource-page.js";
import {
  answerOf,
  anyObject,
  anyValue,
  itemsOf,
  noContent,
  num,
  obj,
  replies,
  str,
  time,
} from "../response-schemas.js";

/** An OpenAPI summary and tag (a plain value: the schema types know no `summary`). */
function doc(summary: string): Record<string, unknown> {
  return { summary, tags: ["anomalies"] };
}

const TARGET_TYPES = ["address", "consumer", "credential"] as const;
/**
 * What a manual block may name: nodes match a request's address and consumer; they do not see a
 * credential's identifier in `request_filter`, so a credential decision could not be enforced.
 */
const BLOCK_TYPES = ["address", "consumer"] as const;

const blockSchema = {
  type: "object",
  additionalProperties: false,
  required: ["target_type", "target_id"],
  properties: {
    target_type: { type: "string", enum: BLOCK_TYPES },
    target_id: { type: "string", minLength: 1, maxLength: 256 },
    action: { type: "string", enum: ["deny", "throttle"], default: "deny" },
    ttl_s: { type: "integer", minimum: 1, maximum: 604_800, default: 900 },
    rate_per_s: { type: "number", minimum: 0.01, maximum: 100_000, default: 1 },
    reason: { type: "string", maxLength: 500, default: "blocked by an operator" },
  },
} as const;

/** The draft config as `GET /v1/anomalies/config` answers it. */
const CONFIG = answerOf(anomalyConfigSchema) as object;

/** A decision in force (a block or a throttle) as {@link decisionJson} shows it. */
const DECISION = obj(
  {
    id: str,
    action: { type: "string", enum: ["deny", "throttle"] },
    target_type: { type: "string", enum: TARGET_TYPES },
    target_id: str,
    status: { type: "integer", description: "the HTTP status a denied request is answered" },
    rate_per_s: num,
    created_at: time,
    expires_at: time,
    source: str,
    kind: anyValue,
    detection_id: anyValue,
    explanation: anyValue,
  },
  ["id", "action", "target_type", "target_id", "expires_at"],
);

/** A detection as {@link detectionJson} shows it. */
const DETECTION = obj(
  {
    id: str,
    kind: str,
    level: str,
    scope: str,
    subject: anyValue,
    route: anyValue,
    score: num,
    observed: anyValue,
    baseline: anyValue,
    threshold: anyValue,
    unit: str,
    explanation: str,
    detected_at: time,
    mode: str,
    decisions: anyValue,
    contributors: { type: "integer", description: "how many summaries contributed" },
  },
  ["id", "kind", "level", "score", "detected_at"],
);

interface BlockBody {
  target_type: (typeof BLOCK_TYPES)[number];
  target_id: string;
  action: "deny" | "throttle";
  ttl_s: number;
  rate_per_s: number;
  reason: string;
}

/**
 * The anomaly-detection admin API (issue 16):
 *
 * | method and path | what |
 * | --- | --- |
 * | `GET /v1/anomalies` | mode in force (`off`, `detect`, `enforce`) and counters |
 * | `GET`, `PUT /v1/anomalies/config` | the draft config: `enabled`, `mode`, `thresholds` (defaults and per route), `actions`, `allow` (published with the next version; a bad threshold is 400 `VALIDATION_FAILED` naming the field; `ETag` and `If-Match` as every mutable resource) |
 * | `GET /v1/anomalies/detections?limit=` | recent detections, newest first |
 * | `GET /v1/anomalies/decisions` | the deny list: decisions in force |
 * | `POST /v1/anomalies/decisions` | block a client by hand (`target_type`, `target_id`, `action`, `ttl_s`, `rate_per_s`, `reason`): pushed to every node at once |
 * | `DELETE /v1/anomalies/decisions/{target_type}/{target_id}` | unblock: lifted on every node at once |
 * | `GET /v1/anomalies/baselines` | per-route requests, failed logins, 4xx and 5xx of the last 10 min (5 s buckets) |
 */
export function registerAnomalyRoutes(app: FastifyInstance, store: Store, anomaly: AnomalyService | undefined): void {
  app.get(
    "/v1/anomalies/config",
    { schema: { ...doc("Read the anomaly-detection config"), response: replies(CONFIG) } },
    async (_req, reply) => {
      const shown = await store.getSettings("anomaly");
      reply.header("etag", etagOf(shown));
      return shown;
    },
  );

  app.put(
    "/v1/anomalies/config",
    {
      schema: {
        summary: "Replace the anomaly-detection config (published with the next version)",
        tags: ["anomalies"],
        body: anomalyConfigSchema,
        response: replies(CONFIG),
      },
    },
    async (req, reply) => {
      const shown = await store.transaction(async () => {
        requireMatch(req, await store.getSettings("anomaly"));
        return writeAnomaly(store, req.body as DraftAnomaly);
      });
      reply.header("etag", etagOf(shown));
      return shown;
    },
  );

  if (!anomaly) return;

  const status = obj(
    {
      mode: { type: "string", enum: ["off", "detect", "enforce"] },
      counters: anyObject,
      decisions: { type: "integer", description: "decisions in force" },
    },
    ["mode", "counters", "decisions"],
  );
  const statusSchema = { ...doc("Anomaly detection: mode and counters"), response: replies(status) };
  app.get("/v1/anomalies", { schema: statusSchema }, async () => ({
    mode: anomaly.mode,
    counters: anomaly.counters(),
    decisions: anomaly.decisions().length,
  }));

  app.get(
    "/v1/anomalies/detections",
    {
      schema: {
        summary: "Recent detections, newest first",
        tags: ["anomalies"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { limit: { type: "string", pattern: "^[1-9][0-9]{0,3}$" } },
        },
        response: replies(itemsOf(DETECTION)),
      },
    },
    async (req) => {
      const limit = Math.min(1000, Number((req.query as { limit?: string }).limit ?? 100));
      return { items: anomaly.detections(limit).map(detectionJson) };
    },
  );

  const decisionsSchema = { ...doc("Decisions in force (the deny list)"), response: replies(itemsOf(DECISION)) };
  app.get("/v1/anomalies/decisions", { schema: decisionsSchema }, async () => ({
    items: anomaly.decisions().map(decisionJson),
  }));

  app.post(
    "/v1/anomalies/decisions",
    {
      schema: {
        summary: "Block or throttle a client on every node (manual decision)",
        tags: ["anomalies"],
        body: blockSchema,
        response: replies(DECISION, 201),
      },
    },
    async (req, reply) => {
      const b = req.body as BlockBody;
      if (b.target_type === "address" && isIP(b.target_id) === 0)
        throw new DomainError("VALIDATION_FAILED", "not an IPv4 or IPv6 address", "target_id");
      const d = anomaly.block({ type: b.target_type, id: b.target_id }, b.action, b.ttl_s, b.reason, b.rate_per_s);
      reply.code(201);
      return decisionJson(d);
    },
  );

  app.delete(
    "/v1/anomalies/decisions/:target_type/:target_id",
    {
      schema: {
        summary: "Unblock a client on every node",
        tags: ["anomalies"],
        params: {
          type: "object",
          required: ["target_type", "target_id"],
          properties: {
            target_type: { type: "string", enum: TARGET_TYPES },
            target_id: { type: "string", minLength: 1 },
          },
        },
        response: replies(noContent, 204),
      },
    },
    async (req, reply) => {
      const p = req.params as { target_type: (typeof TARGET_TYPES)[number]; target_id: string };
      if (!anomaly.unblock({ type: p.target_type, id: p.target_id }))
        throw new DomainError("NOT_FOUND", "no decision holds for this client", "target_id");
      reply.code(204);
    },
  );

  app.get(
    "/v1/anomalies/baselines",
    {
      schema: {
        ...doc("Per-route series of the last 10 minutes (5 s buckets)"),
        response: replies(itemsOf(obj({ route: anyValue }, [], "a route's series"))),
      },
    },
    async () => ({ items: anomaly.baselines() }),
  );
}

/**
 * Checks (as every node will, even while `enabled` is false) and stores the draft anomaly config,
 * as `PUT /v1/anomalies/config` does (and a sync file's `anomaly:`). Call inside a transaction.
 * @returns what was stored
 * @throws DomainError VALIDATION_FAILED naming the field (`anomaly.thresholds.…`)
 */
export async function writeAnomaly(store: Store, body: DraftAnomaly): Promise<DraftAnomaly> {
  anomalyResource({ ...body, enabled: true });
  await store.putSettings(body as Record<string, unknown>, "anomaly");
  return body;
}

function detectionJson(d: ReturnType<AnomalyService["detections"]>[number]) {
  return {
    id: d.id,
    kind: d.kind,
    level: d.level,
    scope: d.scope,
    subject: d.subject,
    route: d.route,
    score: Math.round(d.score * 100) / 100,
    observed: d.observed,
    baseline: d.baseline,
    threshold: d.threshold,
    unit: d.unit,
    explanation: d.explanation,
    detected_at: new Date(d.detectedAtMs).toISOString(),
    mode: d.mode,
    decisions: d.decisions,
    contributors: d.contributors.length,
  };
}

function decisionJson(d: ReturnType<AnomalyService["decisions"]>[number]) {
  return {
    id: d.id,
    action: d.action,
    target_type: d.target.type,
    target_id: d.target.id,
    status: d.status,
    rate_per_s: d.ratePerS,
    created_at: new Date(d.createdAtMs).toISOString(),
    expires_at: new Date(d.expiresAtMs).toISOString(),
    source: d.source,
    kind: d.kind,
    detection_id: d.detectionId,
    explanation: d.explanation,
  };
}
