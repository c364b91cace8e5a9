import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestCa } from "@palisade/test-support";
import { type SINK_CONFIG_ERRORS, SinkConfigError } from "./errors.js";
import { resolveSinkConfigs, type SiemSinkConfig } from "./sink-config.js";

const syslog = (value: Record<string, unknown>, extra: Partial<SiemSinkConfig> = {}): SiemSinkConfig =>
  ({
    name: "wazuh",
    transport: { case: "syslog", value: { address: "siem.example.com:514", protocol: "tcp", ...value } },
    ...extra,
  }) as SiemSinkConfig;

function refused(sinks: SiemSinkConfig[], code: keyof typeof SINK_CONFIG_ERRORS, field: string): void {
  assert.throws(
    () => resolveSinkConfigs(sinks),
    (e: unknown) => e instanceof SinkConfigError && e.code === code && e.field === field,
    `${code} at ${field}`,
  );
}

describe("resolveSinkConfigs", () => {
  it("fills every default", () => {
    const [s] = resolveSinkConfigs([syslog({})]);
    assert.deepEqual(s, {
      name: "wazuh",
      enabled: true,
      transport: {
        case: "syslog",
        host: "siem.example.com",
        port: 514,
        protocol: "tcp",
        framing: "octet-counting",
        facility: "local0",
        appName: "palisade",
        hostname: null,
        maxMessageBytes: 8192,
        tls: null,
        connectTimeoutMs: 5000,
      },
      batchMaxEvents: 500,
      retry: { initialMs: 500, maxMs: 30_000 },
      spool: { maxEvents: 100_000, maxBytes: 1024 ** 3, fsyncIntervalMs: 1000 },
    });
    const [u] = resolveSinkConfigs([syslog({ protocol: "udp", address: "[::1]:5514" })]);
    assert.equal(u!.transport.case === "syslog" && u!.transport.maxMessageBytes, 2048);
    assert.equal(u!.transport.case === "syslog" && u!.transport.host, "::1");
  });

  it("refuses a bad sink with a stable code and the field at fault", () => {
    refused([syslog({}, { name: "Wazuh!" })], "SINK_NAME_INVALID", "sinks[0].name");
    refused([syslog({}), syslog({})], "SINK_NAME_DUPLICATE", "sinks[1].name");
    refused([syslog({ address: "siem.example.com" })], "SINK_ADDRESS_INVALID", "sinks[0].transport.value.address");
    refused([syslog({ address: "siem:70000" })], "SINK_ADDRESS_INVALID", "sinks[0].transport.value.address");
    refused([syslog({ protocol: "relp" })], "SINK_PROTOCOL_INVALID", "sinks[0].transport.value.protocol");
    refused([syslog({ protocol: "udp", framing: "lf" })], "SINK_FRAMING_INVALID", "sinks[0].transport.value.framing");
    refused([syslog({ facility: "local9" })], "SINK_FACILITY_INVALID", "sinks[0].transport.value.facility");
    refused([syslog({ appName: "pali sade" })], "SINK_HEADER_FIELD_INVALID", "sinks[0].transport.value.appName");
    refused(
      [syslog({ protocol: "tls", tls: { caPem: "not a pem" } })],
      "SINK_TLS_INVALID",
      "sinks[0].transport.value.tls",
    );
    refused([syslog({}, { batchMaxEvents: 0 })], "SINK_VALUE_OUT_OF_RANGE", "sinks[0].batchMaxEvents");
    refused([syslog({}, { spool: { maxEvents: -1 } })], "SINK_VALUE_OUT_OF_RANGE", "sinks[0].spool.maxEvents");
    refused(
      [{ name: "x", transport: { case: "kafka" } } as unknown as SiemSinkConfig],
      "SINK_KIND_INVALID",
      "sinks[0].transport",
    );
    refused(
      [{ name: "f", transport: { case: "file", value: { path: "events.ndjson" } } }],
      "SINK_PATH_INVALID",
      "sinks[0].transport.value.path",
    );
    refused(
      [{ name: "w", transport: { case: "webhook", value: { url: "https://user:pw@siem.example.com/in" } } }],
      "SINK_URL_INVALID",
      "sinks[0].transport.value.url",
    );
    refused(
      [
        {
          name: "w",
          transport: {
            case: "webhook",
            value: { url: "https://siem.example.com/in", headers: { "Content-Type": "x" } },
          },
        },
      ],
      "SINK_HEADER_INVALID",
      "sinks[0].transport.value.headers.Content-Type",
    );
  });

  it("checks TLS material and never puts a key or a header value in the error", () => {
    const ca = new TestCa();
    try {
      const leaf = ca.issue(["siem.example.com"]);
      const ok = resolveSinkConfigs([
        syslog({ protocol: "tls", tls: { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem } }),
      ]);
      assert.equal(ok[0]!.transport.case === "syslog" && ok[0]!.transport.tls?.caPem, ca.certPem);
      refused(
        [syslog({ protocol: "tls", tls: { keyPem: leaf.keyPem } })],
        "SINK_TLS_INVALID",
        "sinks[0].transport.value.tls",
      );
      try {
        resolveSinkConfigs([
          {
            name: "w",
            transport: {
              case: "webhook",
              value: { url: "https://s.example/in", headers: { Authorization: "Bearer s3cr3t\r\n" } },
            },
          },
        ]);
        assert.fail("accepted");
      } catch (e) {
        const text = `${(e as Error).message} ${JSON.stringify(e)}`;
        assert.ok(!text.includes("s3cr3t"));
        assert.deepEqual((e as SinkConfigError).toJSON().error.code, "SINK_HEADER_INVALID");
      }
    } finally {
      ca.dispose();
    }
  });
});
