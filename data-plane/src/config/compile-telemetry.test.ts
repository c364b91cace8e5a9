import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { sinksForNode } from "@palisade/events";
import { SyslogProtocol, TelemetrySettingsSchema } from "@palisade/proto";
import { route, snapshot, upstream } from "../test/fixtures.js";
import { compile } from "./compile.js";
import { CompileError } from "./compile-error.js";

const base = () => snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] });
const telemetry = (address: string) =>
  create(TelemetrySettingsSchema, {
    id: "global",
    siemSinks: [{ name: "wazuh", transport: { case: "syslog", value: { address, protocol: SyslogProtocol.TCP } } }],
    siemOverrides: [{ sinkName: "wazuh", selector: { regions: ["lab"] }, disabled: true }],
  });

test("the telemetry resource is checked at compile and kept in the table as data for the SIEM wiring", () => {
  const s = base();
  s.telemetry.push(telemetry("wazuh.internal:514"));
  const table = compile(s, { policyTypes: new Set() });
  assert.equal(table.telemetry?.siemSinks[0]?.name, "wazuh");
  assert.deepEqual(
    sinksForNode(table.telemetry ?? undefined, { id: "n", region: "eu", labels: {} }).map((x) => x.name),
    ["wazuh"],
  );
  assert.deepEqual(sinksForNode(table.telemetry ?? undefined, { id: "n", region: "lab", labels: {} }), []);
  assert.equal(compile(base(), { policyTypes: new Set() }).telemetry, null);
});

test("a sink no node could start is refused: a NACK naming telemetry/global and the field", () => {
  const s = base();
  s.telemetry.push(telemetry("no-port"));
  assert.throws(
    () => compile(s, { policyTypes: new Set() }),
    (e: unknown) =>
      e instanceof CompileError &&
      e.code === "RESOURCE_INVALID" &&
      e.resource === "telemetry/global" &&
      e.message.includes("siem_sinks.0.syslog.address"),
  );
});
