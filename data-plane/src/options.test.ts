import assert from "node:assert/strict";
import { hostname } from "node:os";
import { test } from "node:test";
import { helpText, type NodeOptions, OptionsError, optionSpecs, parseCommand } from "./options.js";
import { BUNDLED_POLICY_TYPES } from "./policies/registry.js";
import { readmeText, tableAfter } from "./test/readme.js";

function run(argv: string[], env: NodeJS.ProcessEnv = {}): NodeOptions {
  const c = parseCommand(argv, env);
  assert.equal(c.kind, "run");
  return c.options;
}

function fails(argv: string[], flag: RegExp, env: NodeJS.ProcessEnv = {}): void {
  assert.throws(
    () => parseCommand(argv, env),
    (err: unknown) => err instanceof OptionsError && flag.test(err.message) && !err.message.includes("\n"),
  );
}

test("defaults", () => {
  const o = run([]);
  assert.deepEqual(o.controlPlanes, [{ host: "127.0.0.1", port: 8005 }]);
  assert.equal(o.nodeId, hostname());
  assert.equal(o.region, "default");
  assert.deepEqual(o.labels, {});
  assert.deepEqual(o.listen, { host: "0.0.0.0", port: 8000 });
  assert.deepEqual(o.statusListen, { host: "127.0.0.1", port: 8100 });
  assert.deepEqual(o.tlsListen, { host: "0.0.0.0", port: 8443 });
  assert.deepEqual([...o.policyTypes], [...BUNDLED_POLICY_TYPES]);
  assert.equal(o.logLevel, "info");
  assert.equal(o.trustedProxies, null);
});

test("flags, env, and the flag winning over env", () => {
  const env = { PALISADE_REGION: "eu-west", PALISADE_LISTEN: "127.0.0.1:9000", PALISADE_NODE_ID: "env-node" };
  const o = run(["--node-id", "dp-1", "--labels", "tier=edge,zone=a", "--listen=127.0.0.1:0"], env);
  assert.equal(o.nodeId, "dp-1");
  assert.equal(o.region, "eu-west");
  assert.deepEqual(o.labels, { tier: "edge", zone: "a" });
  assert.deepEqual(o.listen, { host: "127.0.0.1", port: 0 });
});

test("numbers are checked: range, form, and the header timeout within the request timeout", () => {
  assert.equal(run(["--workers", "3"]).workers, 3);
  assert.equal(run(["--max-headers", "50"]).maxHeaders, 50);
  fails(["--workers", "0"], /^--workers: 0 is out of range/);
  assert.equal(run([]).semiSpaceMib, 8);
  assert.equal(run([], { PALISADE_SEMI_SPACE_MIB: "0" }).semiSpaceMib, 0);
  assert.equal(run(["--semi-space-mib", "32"]).semiSpaceMib, 32);
  fails(["--semi-space-mib", "-1"], /^--semi-space-mib: /);
  fails(["--max-headers", "lots"], /^--max-headers: "lots" is not a whole number/);
  fails(["--client-request-timeout-ms", "1000"], /^--client-header-timeout-ms: 15000 is longer than/);
  assert.equal(
    run(["--client-request-timeout-ms", "1000", "--client-header-timeout-ms", "500"]).clientRequestTimeoutMs,
    1000,
  );
});

test("the HTTPS listener can be turned off", () => {
  assert.equal(run(["--tls-listen", "off"]).tlsListen, null);
  assert.equal(run([], { PALISADE_TLS_LISTEN: "OFF" }).tlsListen, null);
  assert.deepEqual(run(["--tls-listen", "127.0.0.1:0"]).tlsListen, { host: "127.0.0.1", port: 0 });
  fails(["--tls-listen", "nope"], /^--tls-listen: /);
});

test("IPv6 addresses in brackets", () => {
  assert.deepEqual(run(["--listen", "[::]:8000"]).listen, { host: "::", port: 8000 });
});

test("--policies: bundled, -name removal, explicit names", () => {
  assert.deepEqual(
    [...run(["--policies", "bundled,-jwt"]).policyTypes],
    BUNDLED_POLICY_TYPES.filter((t) => t !== "jwt"),
  );
  assert.deepEqual([...run(["--policies", "jwt"]).policyTypes], ["jwt"]);
  assert.deepEqual([...run(["--policies", "jwt,api-key"]).policyTypes], ["jwt", "api-key"]);
  assert.deepEqual([...run([], { PALISADE_POLICIES: "bundled" }).policyTypes], [...BUNDLED_POLICY_TYPES]);
  assert.deepEqual(
    [...run([], { PALISADE_POLICIES: "bundled,-cors" }).policyTypes],
    BUNDLED_POLICY_TYPES.filter((t) => t !== "cors"),
  );
});

test("--trusted-proxies and --client-address-header", () => {
  const o = run(["--trusted-proxies", "10.0.0.0/8, 2001:db8::/32,127.0.0.1", "--client-address-header", "forwarded"]);
  assert.deepEqual(o.trustedProxies?.cidrs.source, ["10.0.0.0/8", "2001:db8::/32", "127.0.0.1"]);
  assert.equal(o.trustedProxies?.header, "forwarded");
  assert.equal(run(["--trusted-proxies", "10.0.0.0/8"]).trustedProxies?.header, "x-forwarded-for");
  fails(["--trusted-proxies", "10.0.0.0/33"], /^--trusted-proxies: "10.0.0.0\/33" has an invalid prefix length/);
  fails(["--trusted-proxies", "example.com"], /^--trusted-proxies: /);
  fails(["--client-address-header", "x-real-ip"], /^--client-address-header: /);
});

test("control-plane replicas: a comma-separated list, the flag repeated, or the environment", () => {
  const both = [
    { host: "cp-a", port: 8005 },
    { host: "cp-b", port: 8006 },
  ];
  assert.deepEqual(run(["--control-plane", "cp-a:8005, cp-b:8006"]).controlPlanes, both);
  assert.deepEqual(run(["--control-plane", "cp-a:8005", "--control-plane", "cp-b:8006"]).controlPlanes, both);
  assert.deepEqual(run([], { PALISADE_CONTROL_PLANE: "cp-a:8005,cp-b:8006" }).controlPlanes, both);
  fails(["--control-plane", "cp-a:8005,"], /^--control-plane: "cp-a:8005," has an empty address/);
  fails(["--control-plane", "cp-a:8005,cp-a:8005"], /^--control-plane: "cp-a:8005,cp-a:8005" lists cp-a:8005 twice/);
  fails(["--control-plane", "cp-a:8005,cp-b"], /^--control-plane: "cp-b" is not host:port/);
});

test("bad values name the flag in one line", () => {
  fails(["--listen", "0.0.0.0:70000"], /^--listen: port 70000 is out of range/);
  fails(["--status-listen", "nohost"], /^--status-listen: /);
  fails(["--control-plane", "127.0.0.1:0"], /^--control-plane: port 0/);
  fails(["--policies", "bundled,bot-score"], /^--policies: unknown policy type "bot-score"/);
  fails(["--labels", "novalue"], /^--labels: "novalue" is not key=value/);
  fails(["--labels", "a=1,a=2"], /^--labels: label "a" is given twice/);
  fails(["--log-level", "loud"], /^--log-level: /);
  fails(["--region", ""], /^--region: /);
  fails(["--nope"], /^--nope: unknown option/);
  fails(["--listen"], /^--listen: missing value/);
  fails(["positional"], /^arguments: unexpected argument "positional"/);
});

test("a bad env value names the flag and its variable", () => {
  fails([], /^--listen \(PALISADE_LISTEN\): port 99999/, { PALISADE_LISTEN: "0.0.0.0:99999" });
});

test("--help and --version", () => {
  assert.deepEqual(parseCommand(["--help"], {}), { kind: "help" });
  assert.deepEqual(parseCommand(["-h"], {}), { kind: "help" });
  assert.deepEqual(parseCommand(["--version"], {}), { kind: "version" });
  const help = helpText();
  for (const s of ["--control-plane", "PALISADE_CONTROL_PLANE", "127.0.0.1:8005", "--status-listen", "--policies"]) {
    assert.ok(help.includes(s), `help mentions ${s}`);
  }
});

test("the README options table lists every flag with its environment variable", () => {
  const rows = tableAfter(readmeText(), "## Options");
  for (const spec of optionSpecs()) {
    const row = rows.find((r) => r[0]?.startsWith(`\`--${spec.flag} `));
    assert.ok(row, `README lacks --${spec.flag}`);
    assert.equal(row[1], `\`${spec.env}\``, `--${spec.flag}`);
  }
  // Besides the valued flags: `--help`/`--version` and the one switch, `--sync-insecure`.
  assert.ok(rows.some((r) => r[0] === "`--sync-insecure`" && r[1] === "`PALISADE_SYNC_INSECURE=1`"));
  const valued = rows.filter(
    (r) => r[0]?.startsWith("`--") && !r[0].startsWith("`--help") && r[0] !== "`--sync-insecure`",
  );
  assert.equal(valued.length, optionSpecs().length);
});
