import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { SiemSinkSchema, SyslogFraming, SyslogProtocol, TelemetrySettingsSchema, WebhookFormat } from "@palisade/proto";
import { SinkConfigError } from "./errors.js";
import { resolveSinkConfigs } from "./sink-config.js";
import { checkTelemetrySettings, redactionOf, sinkConfigFromProto, sinksForNode } from "./telemetry-settings.js";

const wazuh: MessageInitShape<typeof SiemSinkSchema> = {
  name: "wazuh",
  transport: {
    case: "syslog",
    value: { address: "wazuh.internal:514", protocol: SyslogProtocol.TCP, framing: SyslogFraming.LF },
  },
};
const hook: MessageInitShape<typeof SiemSinkSchema> = {
  name: "hook",
  transport: { case: "webhook", value: { url: "https://siem.example/in", format: WebhookFormat.JSON } },
  spool: { maxEvents: 5000n, fsyncIntervalMs: 0 },
};
const settings = (init: MessageInitShape<typeof TelemetrySettingsSchema>) =>
  create(TelemetrySettingsSchema, { id: "global", ...init });
const eu = { id: "eu-1", region: "eu-west", labels: { tier: "edge" } };
const us = { id: "us-1", region: "us-east", labels: {} };

function refused(fn: () => void, code: string, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SinkConfigError);
    assert.deepEqual([e.code, e.field], [code, field]);
    return true;
  });
}

describe("sinkConfigFromProto", () => {
  it("maps field for field: zero values are defaults, enums become names", () => {
    const [r] = resolveSinkConfigs([sinkConfigFromProto(create(SiemSinkSchema, wazuh))]);
    assert.deepEqual(
      [
        r!.transport.case,
        r!.transport.case === "syslog" && [r!.transport.port, r!.transport.protocol, r!.transport.framing],
      ],
      ["syslog", [514, "tcp", "lf"]],
    );
    assert.equal(r!.batchMaxEvents, 500);
    const h = sinkConfigFromProto(create(SiemSinkSchema, { ...hook, disabled: true }));
    assert.equal(h.enabled, false);
    assert.deepEqual(h.spool, { maxEvents: 5000, fsyncIntervalMs: 0 }, "an optional 0 stays: fsync after each write");
    assert.equal(h.transport.case === "webhook" && h.transport.value.format, "json");
  });
});

describe("sinksForNode", () => {
  const t = settings({
    siemSinks: [wazuh, hook],
    siemOverrides: [
      { sinkName: "wazuh", selector: { nodeIds: ["eu-1"] }, disabled: true },
      {
        sinkName: "wazuh",
        selector: { regions: ["eu-west", "us-east"] },
        sink: {
          ...wazuh,
          transport: { case: "syslog", value: { address: "relay:6514", protocol: SyslogProtocol.TLS } },
        },
      },
      {
        sinkName: "local-file",
        selector: { labels: { tier: "edge" } },
        sink: { name: "local-file", transport: { case: "file", value: { path: "/var/log/palisade/events.ndjson" } } },
      },
    ],
  });

  it("the first matching override of a sink name wins; others add or replace", () => {
    assert.deepEqual(
      sinksForNode(t, eu).map((s) => s.name),
      ["hook", "local-file"],
      "eu-1: wazuh off by id (first match), the file added by label",
    );
    const usSinks = sinksForNode(t, us);
    assert.deepEqual(
      usSinks.map((s) => s.name),
      ["wazuh", "hook"],
    );
    const w = usSinks[0]!;
    assert.equal(w.transport.case === "syslog" && w.transport.value.address, "relay:6514", "replaced by region");
    assert.deepEqual(
      sinksForNode(t, { id: "ap-1", region: "ap-south", labels: {} }).map((s) => s.name),
      ["wazuh", "hook"],
    );
  });

  it("node-local sinks win by name", () => {
    const local = [{ name: "hook", transport: { case: "file" as const, value: { path: "/tmp/x.ndjson" } } }];
    const out = sinksForNode(t, us, local);
    assert.equal(out.find((s) => s.name === "hook")?.transport.case, "file");
    assert.deepEqual(sinksForNode(undefined, us, local), local);
  });

  it("redaction names come from the same resource", () => {
    assert.deepEqual(redactionOf(settings({ secretHeaders: ["X-Session"], secretFields: ["pin"] })), {
      secretHeaders: ["X-Session"],
      secretFields: ["pin"],
    });
  });
});

describe("checkTelemetrySettings", () => {
  it("accepts a valid config", () => {
    checkTelemetrySettings(settings({ siemSinks: [wazuh, hook] }));
  });

  it("names the field as the proto and the admin API do", () => {
    const bad = {
      ...wazuh,
      transport: { case: "syslog" as const, value: { address: "nope", protocol: SyslogProtocol.UDP } },
    };
    refused(
      () => checkTelemetrySettings(settings({ siemSinks: [hook, bad] })),
      "SINK_ADDRESS_INVALID",
      "siem_sinks.1.syslog.address",
    );
    refused(
      () => checkTelemetrySettings(settings({ siemSinks: [wazuh, wazuh] })),
      "SINK_NAME_DUPLICATE",
      "siem_sinks.1.name",
    );
    refused(
      () => checkTelemetrySettings(settings({ siemSinks: [{ ...hook, retry: { initialMs: 5 } }] })),
      "SINK_VALUE_OUT_OF_RANGE",
      "siem_sinks.0.retry.initial_ms",
    );
    refused(
      () => checkTelemetrySettings(settings({ siemSinks: [{ name: "x" }] })),
      "SINK_KIND_INVALID",
      "siem_sinks.0",
    );
  });

  it("checks overrides: selector, exactly one of sink and disabled, the sink's own fields", () => {
    refused(
      () =>
        checkTelemetrySettings(
          settings({ siemSinks: [wazuh], siemOverrides: [{ sinkName: "wazuh", disabled: true }] }),
        ),
      "SINK_SELECTOR_INVALID",
      "siem_overrides.0.selector",
    );
    refused(
      () =>
        checkTelemetrySettings(
          settings({ siemSinks: [wazuh], siemOverrides: [{ sinkName: "wazuh", selector: { regions: ["eu"] } }] }),
        ),
      "SINK_OVERRIDE_INVALID",
      "siem_overrides.0",
    );
    refused(
      () =>
        checkTelemetrySettings(
          settings({
            siemSinks: [wazuh],
            siemOverrides: [{ sinkName: "gone", selector: { regions: ["eu"] }, disabled: true }],
          }),
        ),
      "SINK_OVERRIDE_INVALID",
      "siem_overrides.0.sink_name",
    );
    refused(
      () =>
        checkTelemetrySettings(
          settings({
            siemSinks: [wazuh],
            siemOverrides: [{ sinkName: "wazuh", selector: { regions: ["eu"] }, sink: hook }],
          }),
        ),
      "SINK_OVERRIDE_INVALID",
      "siem_overrides.0.sink.name",
    );
    const badHook = { ...hook, transport: { case: "webhook" as const, value: { url: "ftp://x" } } };
    refused(
      () =>
        checkTelemetrySettings(
          settings({
            siemSinks: [hook],
            siemOverrides: [{ sinkName: "hook", selector: { regions: ["eu"] }, sink: badHook }],
          }),
        ),
      "SINK_URL_INVALID",
      "siem_overrides.0.sink.webhook.url",
    );
  });

  it("checks the redaction names", () => {
    refused(
      () => checkTelemetrySettings(settings({ secretHeaders: ["bad header"] })),
      "SECRET_NAME_INVALID",
      "secret_headers.0",
    );
  });
});
