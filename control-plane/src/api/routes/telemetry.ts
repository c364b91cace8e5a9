import type { FastifyInstance } from "fastify";
import {
  type DraftTelemetry,
  keepRedactedSecrets,
  presentTelemetry,
  telemetryResource,
  telemetrySchema,
} from "../../config/telemetry.js";
import type { Store } from "../../store/store.js";
import { etagOf, requireMatch } from "../resource-page.js";
import { answerOf, replies } from "../response-schemas.js";

/**
 * `GET /v1/telemetry` and `PUT /v1/telemetry`: the fleet-wide telemetry config, published with
 * the next version like any draft edit (`Snapshot.telemetry`):
 * - `siem_sinks`: the SIEM sinks every node runs (syslog UDP/TCP/TLS, NDJSON file, webhook);
 * - `siem_overrides`: per-node changes by sink name for the nodes a selector (`regions`,
 *   `labels`, `node_ids`, all given must match) picks: `sink` replaces (or adds) it, `disabled`
 *   turns it off; the first matching override of a name wins; a node's `--siem-sinks-file`
 *   wins over both;
 * - `secret_headers`, `secret_fields`: names whose values the redactor replaces, added to its
 *   defaults (nodes, and the control plane's re-check of what nodes send);
 * - `trace_export`: W3C trace sampling (`sample_ratio`) and OTLP/HTTP span export (`endpoint`,
 *   `headers`, queue and batch sizes); `trace_export_overrides`: the settings of the nodes a
 *   selector picks (the first match wins); a node's `--trace-sample-ratio` and
 *   `--otlp-traces-endpoint` win over both.
 * `PUT` replaces the whole object and is checked as a node will take it (the
 * @palisade/events sink checks; 400 `VALIDATION_FAILED` naming the field, e.g.
 * `siem_sinks.0.syslog.address`, the check's code first in the message). TLS keys, webhook and
 * trace export header values are answered as `[redacted]`; a `PUT` that sends `[redacted]` keeps
 * the stored value of that key or header. `GET` answers an `ETag`;
 * `PUT` honours `If-Match` (412 PRECONDITION_FAILED, nothing written).
 */
/** The config as answered: the body's shape, secrets `[redacted]`, every list present. */
const TELEMETRY = {
  ...(answerOf(telemetrySchema) as object),
  required: ["siem_sinks", "siem_overrides", "secret_headers", "secret_fields"],
};

export function registerTelemetryRoutes(app: FastifyInstance, store: Store): void {
  app.get(
    "/v1/telemetry",
    {
      schema: {
        summary: "Read the telemetry config (SIEM sinks, overrides, secret names, trace export)",
        tags: ["telemetry"],
        response: replies(TELEMETRY),
      },
    },
    async (_req, reply) => {
      const shown = presentTelemetry((await store.getSettings("telemetry")) as DraftTelemetry);
      reply.header("etag", etagOf(shown));
      return shown;
    },
  );

  app.put(
    "/v1/telemetry",
    {
      schema: {
        summary: "Replace the telemetry config (published with the next version)",
        tags: ["telemetry"],
        body: telemetrySchema,
        response: replies(TELEMETRY),
      },
    },
    async (req, reply) => {
      const shown = await store.transaction(async () => {
        requireMatch(req, presentTelemetry((await store.getSettings("telemetry")) as DraftTelemetry));
        return presentTelemetry(await writeTelemetry(store, req.body as DraftTelemetry));
      });
      reply.header("etag", etagOf(shown));
      return shown;
    },
  );
}

/**
 * Checks and stores the draft telemetry config as `PUT /v1/telemetry` does (and a sync file's
 * `telemetry:`): `[redacted]` keeps the stored secret, every sink is checked as a node takes it,
 * empty lists are not stored. Call inside a transaction; `body` is not mutated.
 * @returns what was stored (secrets in clear: present it before answering)
 * @throws DomainError VALIDATION_FAILED naming the field (`siem_sinks.0.syslog.address`)
 */
export async function writeTelemetry(store: Store, given: DraftTelemetry): Promise<DraftTelemetry> {
  const stored = (await store.getSettings("telemetry")) as DraftTelemetry;
  const body = keepRedactedSecrets(structuredClone(given), stored);
  telemetryResource(body);
  const clean: DraftTelemetry = {};
  if (body.siem_sinks?.length) clean.siem_sinks = body.siem_sinks;
  if (body.siem_overrides?.length) clean.siem_overrides = body.siem_overrides;
  if (body.secret_headers?.length) clean.secret_headers = body.secret_headers;
  if (body.secret_fields?.length) clean.secret_fields = body.secret_fields;
  if (body.trace_export && Object.keys(body.trace_export).length > 0) clean.trace_export = body.trace_export;
  if (body.trace_export_overrides?.length) clean.trace_export_overrides = body.trace_export_overrides;
  await store.putSettings(clean as Record<string, unknown>, "telemetry");
  return clean;
}
