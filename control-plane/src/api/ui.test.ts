import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pino } from "pino";
import { AdminTokens } from "../admin-token.js";
import { Publisher } from "../config/publisher.js";
import { Store } from "../store/store.js";
import { buildAdminApi } from "./server.js";

const TOKEN = "test-admin-token-0123456789";
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function app(uiDir: string) {
  const store = await Store.open(":memory:");
  return buildAdminApi({
    store,
    publisher: await Publisher.open(store),
    tokens: new AdminTokens(store, TOKEN),
    log: pino({ level: "silent" }),
    uiDir,
  });
}

function bundle(): string {
  const dir = mkdtempSync(join(tmpdir(), "palisade-ui-"));
  dirs.push(dir);
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Palisade</title><div id=root></div>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  return dir;
}

test("the UI is served at / without a token, with a strict CSP; hashed assets are immutable", async () => {
  const api = await app(bundle());
  const root = await api.inject({ method: "GET", url: "/" });
  assert.equal(root.statusCode, 200);
  assert.match(root.body, /<title>Palisade<\/title>/);
  assert.match(String(root.headers["content-type"]), /^text\/html/);
  assert.match(String(root.headers["content-security-policy"]), /script-src 'self'/);
  assert.match(String(root.headers["content-security-policy"]), /frame-ancestors 'none'/);
  assert.equal(root.headers["cache-control"], "no-cache");
  const js = await api.inject({ method: "GET", url: "/assets/index-abc123.js" });
  assert.equal(js.statusCode, 200);
  assert.match(String(js.headers["content-type"]), /javascript/);
  assert.match(String(js.headers["cache-control"]), /immutable/);
});

test("client-side routes get index.html; API paths and missing assets stay JSON 404s", async () => {
  const api = await app(bundle());
  for (const url of ["/fleet", "/fleet/nodes/node-a", "/config/routes?q=x"]) {
    const r = await api.inject({ method: "GET", url });
    assert.equal(r.statusCode, 200, url);
    assert.match(r.body, /<div id=root>/, url);
  }
  const missingAsset = await api.inject({ method: "GET", url: "/assets/gone-1234.js" });
  assert.equal(missingAsset.statusCode, 404);
  assert.equal(missingAsset.json().error.code, "NOT_FOUND");
  const apiMiss = await api.inject({ method: "GET", url: "/v1/nope", headers: { authorization: `Bearer ${TOKEN}` } });
  assert.deepEqual([apiMiss.statusCode, apiMiss.json().error.code], [404, "NOT_FOUND"]);
  const noToken = await api.inject({ method: "GET", url: "/v1/routes" });
  assert.equal(noToken.statusCode, 401, "the API still needs the token");
  const post = await api.inject({ method: "POST", url: "/fleet", payload: {} });
  assert.equal(post.statusCode, 401, "only GET and HEAD serve pages; anything else is the API's");
});

test("serving the UI opens no API path: unknown and encoded /v1 paths still need the token", async () => {
  const api = await app(bundle());
  for (const url of ["/v1/nope", "/%761/nope", "/V1/nodes", "/v1/../v1/nodes", "/assets/../v1/nodes"]) {
    const r = await api.inject({ method: "GET", url });
    assert.equal(r.statusCode, 401, url);
    assert.equal(r.json().error.code, "ADMIN_AUTH_REQUIRED", url);
  }
  const head = await api.inject({ method: "HEAD", url: "/fleet" });
  assert.equal(head.statusCode, 200);
});

test("without a built bundle / says how to build it and the API keeps working", async () => {
  const api = await app(join(tmpdir(), "palisade-ui-does-not-exist"));
  const r = await api.inject({ method: "GET", url: "/" });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /npm run build/);
  const routes = await api.inject({ method: "GET", url: "/v1/routes", headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(routes.statusCode, 200);
});
