import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { load as parse } from "js-yaml";
import type { ControlPlane } from "../control-plane.js";
import { startTestControlPlane } from "../test/running-control-plane.js";

const TOKEN = "cli-gitops-admin-token-0123456789";
const BIN = fileURLToPath(new URL("../bin/palisadectl.js", import.meta.url));
const run = promisify(execFile);

describe("palisadectl dump, diff, sync, validate, tokens and openapi import: the real binary against a control plane", () => {
  let cp: ControlPlane;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  /** Runs the built binary; returns its exit status and output. */
  const ctl = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string) => {
    const child = run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, ...extraEnv } });
    if (input !== undefined) {
      child.child.stdin!.end(input);
    }
    try {
      const r = await child;
      return { code: 0, out: r.stdout.trimEnd(), err: r.stderr.trimEnd() };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout.trimEnd(), err: x.stderr.trimEnd() };
    }
  };
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisadectl-gitops-"));
    ({ cp, env } = await startTestControlPlane(TOKEN));
  });
  after(async () => {
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const CONFIG = [
    "upstreams:",
    "  - {name: orders, targets: [{host: 127.0.0.1, port: 9080, weight: 100}], scheme: http}",
    "policies:",
    "  - {name: idp, type: jwt, config: {jwks_url: 'https://idp.example/jwks', algorithms: [RS256]}}",
    "  - {name: office, type: ip-restriction, config: {allow: [10.0.0.0/8]}}",
    "routes:",
    "  - {name: orders, paths: [/orders], methods: [POST, GET], upstream: orders, policies: [idp, office]}",
    "  - {name: health, paths: [{exact: /healthz}], upstream: orders}",
    "settings: {merge_slashes: true}",
    "telemetry:",
    "  siem_sinks:",
    "    - {name: soc, webhook: {url: 'https://siem.example/ingest', headers: {Authorization: 'Bearer soc-secret-123'}}}",
    "  secret_headers: [x-session]",
    "anomaly: {enabled: true, thresholds: {routes: {orders: {bruteForce: {minPerMin: 5}}}}}",
    "",
  ].join("\n");

  test("sync prints the plan then applies it; dump → diff shows no difference; a changed file is a difference (exit 3)", async () => {
    const f = file("config.yaml", CONFIG);
    const dry = await ctl(["sync", "-f", f, "--prune", "--dry-run"]);
    assert.equal(dry.code, 0, dry.err);
    assert.match(
      dry.out,
      /^\+ upstreams\/orders\n\+ policies\/idp\n\+ policies\/office\n\+ routes\/orders\n\+ routes\/health\n~ settings\/settings\n~ telemetry\/telemetry\n~ anomaly\/anomaly\n5 to create, 3 to update, 0 to delete, 0 unchanged$/,
    );
    assert.equal((await ctl(["get", "routes", "-o", "json"])).out, "[]", "a dry run writes nothing");
    const synced = await ctl(["sync", "-f", f, "--prune"]);
    assert.equal(synced.code, 0, synced.err);
    assert.match(synced.out, /synced$/);

    const dumped = await ctl(["dump"]);
    assert.equal(dumped.code, 0, dumped.err);
    const doc = parse(dumped.out) as { routes: unknown[]; telemetry: unknown; anomaly: unknown };
    // The sink's header value is the server's secret: never dumped, kept by a file that says [redacted].
    assert.ok(!dumped.out.includes("soc-secret-123"), "a secret in the dump");
    assert.deepEqual(doc.telemetry, {
      secret_headers: ["x-session"],
      siem_sinks: [
        { name: "soc", webhook: { headers: { Authorization: "[redacted]" }, url: "https://siem.example/ingest" } },
      ],
    });
    assert.deepEqual(doc.anomaly, {
      enabled: true,
      thresholds: { routes: { orders: { bruteForce: { minPerMin: 5 } } } },
    });
    assert.deepEqual(doc.routes[1], {
      name: "orders",
      paths: ["/orders"],
      methods: ["GET", "POST"],
      upstream: "orders",
      policies: ["idp", "office"],
    });
    const back = file("dump.yaml", dumped.out);
    const same = await ctl(["diff", "-f", back]);
    assert.equal(same.code, 0, same.out + same.err);
    assert.equal(same.out, "0 to create, 0 to update, 0 to delete, 8 unchanged");
    // The hand-written file (defaults spelt out) is the same config, but for the sink's header
    // value it gives in clear where the server shows [redacted]: a sync sends it again.
    const hand = await ctl(["diff", "-f", f, "-o", "json"]);
    assert.equal(hand.code, 3, hand.err);
    const handTable = await ctl(["diff", "-f", f]);
    for (const out of [hand.out, handTable.out]) assert.ok(!out.includes("soc-secret-123"), "a secret in the plan");
    assert.match(handTable.out, /^~ telemetry\/telemetry$/m);
    assert.deepEqual(
      (JSON.parse(hand.out) as { changes: Array<{ kind: string; action: string }> }).changes.map(
        (c) => `${c.action} ${c.kind}`,
      ),
      ["update telemetry"],
    );

    const changed = file(
      "changed.yaml",
      CONFIG.replace("port: 9080", "port: 9081").replace(/ {2}- \{name: health.*\n/, ""),
    );
    const d = await ctl(["diff", "-f", changed]);
    assert.equal(d.code, 3);
    assert.match(d.out, /^~ upstreams\/orders\n {4}- {5}port: 9080\n {4}\+ {5}port: 9081\n- routes\/health\n/);
    const json = await ctl(["diff", "-f", changed, "-o", "json"]);
    assert.equal(json.code, 3);
    // upstreams/orders, and telemetry (its secret given in clear, as above).
    assert.deepEqual(JSON.parse(json.out).counts, { create: 0, update: 2, delete: 1, unchanged: 5 });
  });

  test("apply and sync refuse to take a JWT off a route without --force; a file with an error changes nothing", async () => {
    const stripped = file("stripped.yaml", "routes:\n  - {name: orders, paths: [/orders], upstream: orders}\n");
    for (const cmd of ["apply", "sync"]) {
      const r = await ctl([cmd, "-f", stripped]);
      assert.equal(r.code, 1, `${cmd}: ${r.out}`);
      assert.match(
        r.err,
        /^palisadectl: PROTECTION_REMOVED: .*routes\/orders loses jwt policy idp; pass --force to confirm$/m,
      );
    }
    assert.deepEqual(JSON.parse((await ctl(["get", "route", "orders", "-o", "json"])).out).policies.length, 2);
    const broken = file(
      "broken.yaml",
      `${CONFIG}  # nothing\n`.replace("upstream: orders, policies", "upstream: nowhere, policies"),
    );
    const r = await ctl(["sync", "-f", broken, "--prune"]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /REFERENCE_NOT_FOUND: routes\/orders: no upstream named or with id "nowhere" \(field upstream\)/,
    );
    const forced = await ctl(["apply", "-f", stripped, "--force"]);
    assert.equal(forced.code, 0, forced.err);
    assert.equal(forced.out, "routes/orders configured (removed: methods, policies)");
  });

  test("validate works offline with the server's rules and names the failing resource and field", async () => {
    const ok = await ctl(["validate", "-f", file("ok.yaml", CONFIG)], {
      PALISADE_ADMIN_URL: "http://127.0.0.1:1",
      PALISADE_ADMIN_TOKEN: "",
    });
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /ok\.yaml: valid \(5 resources\)$/);
    const bad = file("bad.yaml", CONFIG.replace("port: 9080", "port: 70000"));
    const r = await ctl(["validate", "-f", bad], { PALISADE_ADMIN_TOKEN: "" });
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /VALIDATION_FAILED: .*bad\.yaml: upstreams\/orders: targets\.0\.port must be <= 65535 \(field targets\.0\.port\)/,
    );
    const dangling = file("dangling.yaml", "routes:\n  - {name: r, paths: [/r], upstream: elsewhere}\n");
    assert.match((await ctl(["validate", "-f", dangling])).err, /REFERENCE_NOT_FOUND: .*routes\/r/);
    // Route matchers (issue 22): a file expresses them; a regex RE2 refuses is named offline.
    const matchers = CONFIG.replace(
      "  - {name: health,",
      "  - {name: beta, paths: [{template: '/orders/{id}'}], headers: [{name: x-api-version, exact: '2'}], query: [{name: debug, absent: true}], upstream: orders}\n  - {name: health,",
    );
    const good = await ctl(["validate", "-f", file("matchers.yaml", matchers)]);
    assert.equal(good.code, 0, good.err);
    const lookahead = await ctl([
      "validate",
      "-f",
      file("lookahead.yaml", matchers.replace("exact: '2'", "regex: '(?=2)'")),
    ]);
    assert.equal(lookahead.code, 1);
    assert.match(lookahead.err, /VALIDATION_FAILED: .*routes\/beta: .*linear-time.*\(field headers\.0\.regex\)/);
  });

  test("tokens: create with a role and bounds (secret printed once), whoami, rotate, revoke; a viewer gets 403 and exit 1", async () => {
    const made = await ctl(["tokens", "create", "ci-viewer", "--role", "viewer", "--ttl", "3600"]);
    assert.equal(made.code, 0, made.err);
    const [secret, note] = made.out.split("\n");
    assert.match(secret!, /^pal_[A-Za-z0-9_-]{43}$/);
    const id = /token (\d+) "ci-viewer", role viewer, expires \d{4}-/.exec(note!)![1]!;
    const who = await ctl(["tokens", "whoami", "-o", "json"], { PALISADE_ADMIN_TOKEN: secret });
    assert.equal(JSON.parse(who.out).role, "viewer");
    const refused = await ctl(
      ["sync", "-f", file("v.yaml", "upstreams:\n  - {name: v, targets: [{host: 127.0.0.1, port: 1}]}\n")],
      { PALISADE_ADMIN_TOKEN: secret },
    );
    assert.equal(refused.code, 1);
    assert.match(refused.err, /PERMISSION_DENIED: role viewer lacks upstreams:write/);
    const list = await ctl(["tokens", "list"]);
    assert.match(list.out, new RegExp(`\\n${id}\\s+ci-viewer\\s+viewer\\s+active`));
    assert.ok(!list.out.includes(secret!));
    const rotated = await ctl(["tokens", "rotate", id]);
    assert.equal(rotated.code, 0);
    assert.match((await ctl(["get", "routes"], { PALISADE_ADMIN_TOKEN: secret })).err, /TOKEN_REVOKED/);
    assert.equal((await ctl(["tokens", "revoke", id])).out, `token ${id} revoked`);
    const bounded = await ctl([
      "tokens",
      "create",
      "eu",
      "--role",
      "operator",
      "--region",
      "eu-west",
      "--route-prefix",
      "/orders",
      "-o",
      "json",
    ]);
    assert.deepEqual(
      [JSON.parse(bounded.out).regions, JSON.parse(bounded.out).route_prefixes],
      [["eu-west"], ["/orders"]],
    );
    assert.equal((await ctl(["tokens", "create", "x"])).code, 2);
  });

  test("openapi import makes an upstream, routes and auth policies; an invalid description names the operation", async () => {
    const spec = file(
      "spec.yaml",
      [
        "openapi: 3.0.3",
        "info: {title: Pet Store, version: '1'}",
        "servers: [{url: 'https://pets.example.com/v1'}]",
        "components:",
        "  securitySchemes:",
        "    key: {type: apiKey, in: header, name: X-Pet-Key}",
        "    bearer: {type: http, scheme: bearer, bearerFormat: JWT}",
        "security: [{key: []}]",
        "paths:",
        "  /pets: {get: {operationId: listPets, responses: {'200': {description: ok}}}, post: {operationId: addPet, security: [{bearer: []}, {key: []}], responses: {'201': {description: ok}}}}",
        "  /pets/{id}: {get: {operationId: getPet, responses: {'200': {description: ok}}}, delete: {operationId: deletePet, responses: {'204': {description: ok}}}}",
        "  /health: {get: {operationId: health, security: [], responses: {'200': {description: ok}}}}",
        "",
      ].join("\n"),
    );
    const r = await ctl(["openapi", "import", spec, "--jwks-url", "https://idp.example/jwks", "-o", "json"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /5 operations → 4 routes, 3 policies, 1 upstream/);
    const doc = JSON.parse(r.out);
    assert.deepEqual(doc.upstreams, [
      { name: "pet-store", targets: [{ host: "pets.example.com", port: 443 }], scheme: "https" },
    ]);
    assert.deepEqual(
      doc.routes
        .map((x: { paths: unknown[]; methods: string[]; policies?: string[] }) =>
          JSON.stringify([x.paths[0], x.methods, x.policies ?? []]),
        )
        .sort(),
      [
        '["/v1/pets",["DELETE","GET"],["pet-store-key"]]',
        '[{"exact":"/v1/health"},["GET"],[]]',
        '[{"exact":"/v1/pets"},["GET"],["pet-store-key"]]',
        '[{"exact":"/v1/pets"},["POST"],["pet-store-any-2"]]',
      ],
    );
    assert.deepEqual(
      doc.policies.map((p: { type: string }) => p.type),
      ["api-key", "jwt", "auth-any"],
    );
    // The import validates as a configuration, offline.
    const out = file("pets.json", r.out);
    assert.equal((await ctl(["validate", "-f", out])).code, 0);

    const noJwks = await ctl(["openapi", "import", spec]);
    assert.equal(noJwks.code, 1);
    assert.match(
      noJwks.err,
      /BAD_SPEC: .*POST \/pets \(addPet\): security scheme bearer \(http\) becomes a jwt policy: pass --jwks-url/,
    );
    const undef = file(
      "undef.yaml",
      "openapi: 3.1.0\nservers: [{url: 'http://x.example'}]\npaths:\n  /a: {get: {operationId: getA, security: [{ghost: []}]}}\n",
    );
    assert.match(
      (await ctl(["openapi", "import", undef])).err,
      /GET \/a \(getA\): security scheme "ghost" is not defined/,
    );
  });
});
