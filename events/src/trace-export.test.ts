import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { TelemetrySettingsSchema } from "@palisade/proto";
import { SinkConfigError } from "./errors.js";
import { checkTelemetrySettings } from "./telemetry-settings.js";
import { TRACE_EXPORT_DEFAULTS, TRACE_EXPORT_OFF, traceExportForNode } from "./trace-export.js";

const settings = (init: MessageInitShape<typeof TelemetrySettingsSchema>) =>
  create(TelemetrySettingsSchema, { id: "global", ...init });
const eu = { id: "eu-1", region: "eu-west", labels: { tier: "edge" } };
const us = { id: "us-1", region: "us-east", labels: {} };
const fleet = { endpoint: "http://otel.internal:4318/v1/traces", sampleRatio: 0.1, headers: { "x-api-key": "k" } };

function refused(init: MessageInitShape<typeof TelemetrySettingsSchema>, code: string, field: string): void {
  assert.throws(
    () => checkTelemetrySettings(settings(init)),
    (e: unknown) => {
      assert.ok(e instanceof SinkConfigError);
      assert.deepEqual([e.code, e.field], [code, field]);
      assert.ok(!e.message.includes("otel.internal"), "the message never holds a value");
      return true;
    },
  );
}

describe("trace export settings", () => {
  it("a node takes the fleet-wide settings with defaults, or the first override that matches it", () => {
    const s = settings({
      traceExport: fleet,
      traceExportOverrides: [
        {
          selector: { regions: ["eu-west"] },
          traceExport: { endpoint: "https://otel.eu:4318/v1/traces", sampleRatio: 1 },
        },
        { selector: { nodeIds: ["eu-1", "us-1"] }, traceExport: { disabled: true } },
      ],
    });
    checkTelemetrySettings(s);
    assert.deepEqual(traceExportForNode(s, us), TRACE_EXPORT_OFF);
    assert.deepEqual(traceExportForNode(s, eu), {
      endpoint: "https://otel.eu:4318/v1/traces",
      sampleRatio: 1,
      headers: {},
      ...TRACE_EXPORT_DEFAULTS,
    });
    assert.deepEqual(traceExportForNode(settings({ traceExport: fleet }), us), { ...fleet, ...TRACE_EXPORT_DEFAULTS });
    assert.equal(traceExportForNode(settings({}), us), null, "nothing configured: the node's flags");
    assert.equal(traceExportForNode(undefined, us), null);
  });

  it("refuses a bad endpoint, ratio, header, size or override, naming the field", () => {
    refused({ traceExport: { endpoint: "otel:4318" } }, "SINK_URL_INVALID", "trace_export.endpoint");
    refused({ traceExport: { endpoint: "http://u:p@otel.internal/" } }, "SINK_URL_INVALID", "trace_export.endpoint");
    refused({ traceExport: { sampleRatio: 1.5 } }, "TRACE_RATIO_INVALID", "trace_export.sample_ratio");
    refused({ traceExport: { sampleRatio: Number.NaN } }, "TRACE_RATIO_INVALID", "trace_export.sample_ratio");
    refused({ traceExport: { headers: { "bad header": "v" } } }, "SINK_HEADER_INVALID", "trace_export.headers.?");
    refused(
      { traceExport: { headers: { "content-type": "x" } } },
      "SINK_HEADER_INVALID",
      "trace_export.headers.content-type",
    );
    refused({ traceExport: { timeoutMs: 5 } }, "SINK_VALUE_OUT_OF_RANGE", "trace_export.timeout_ms");
    refused(
      { traceExport: { maxQueueSpans: 10, maxBatchSpans: 20 } },
      "SINK_VALUE_OUT_OF_RANGE",
      "trace_export.max_batch_spans",
    );
    refused(
      { traceExportOverrides: [{ selector: {}, traceExport: fleet }] },
      "SINK_SELECTOR_INVALID",
      "trace_export_overrides.0.selector",
    );
    refused(
      { traceExportOverrides: [{ selector: { regions: ["eu"] } }] },
      "SINK_OVERRIDE_INVALID",
      "trace_export_overrides.0.trace_export",
    );
    refused(
      { traceExportOverrides: [{ selector: { regions: ["eu"] }, traceExport: { sampleRatio: -1 } }] },
      "TRACE_RATIO_INVALID",
      "trace_export_overrides.0.trace_export.sample_ratio",
    );
  });
});
