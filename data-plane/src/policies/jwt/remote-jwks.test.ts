import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { rsaKeys } from "../../test/fixtures.js";
import { createAuthAgent, HttpJsonError, type JsonAnswer, requestJson } from "../auth/http-json.js";
import { JwksDirectory } from "./jwks-store.js";
import {
  cacheLifetimeMs,
  type JwksFetcher,
  parseRemoteJwks,
  RemoteJwks,
  type RemoteJwksOptions,
} from "./remote-jwks.js";

const k1 = await rsaKeys("k1");
const k2 = await rsaKeys("k2");
const OPTS: RemoteJwksOptions = {
  minTtlMs: 60_000,
  maxTtlMs: 86_400_000,
  defaultTtlMs: 600_000,
  cooldownMs: 30_000,
  timeoutMs: 1_000,
};

/** A scripted JWKS endpoint: each fetch takes the next answer (or repeats the last). */
function scripted(...answers: (JsonAnswer | Error)[]) {
  let calls = 0;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const fetcher = async (): Promise<JsonAnswer> => {
    calls++;
    if (gate) await gate;
    const a = answers[Math.min(calls - 1, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  };
  return {
    fetcher,
    get calls() {
      return calls;
    },
    hold() {
      gate = new Promise((r) => {
        release = r;
      });
    },
    release() {
      gate = undefined;
      release?.();
    },
  };
}

const jwks = (...keys: object[]): JsonAnswer => ({
  status: 200,
  headers: { "cache-control": "max-age=300" },
  json: { keys },
});

test("cacheLifetimeMs: max-age minus Age, Expires minus Date, no-store, nothing", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(cacheLifetimeMs({ "cache-control": "public, max-age=300" }, now), 300_000);
  assert.equal(cacheLifetimeMs({ "cache-control": "max-age=300", age: "100" }, now), 200_000);
  assert.equal(cacheLifetimeMs({ "cache-control": "no-store" }, now), 0);
  assert.equal(cacheLifetimeMs({ "cache-control": "no-cache, max-age=300" }, now), 0);
  assert.equal(
    cacheLifetimeMs({ expires: "Thu, 01 Jan 2026 01:00:00 GMT", date: "Thu, 01 Jan 2026 00:30:00 GMT" }, now),
    1_800_000,
  );
  assert.equal(cacheLifetimeMs({ expires: "0" }, now), 0);
  assert.equal(cacheLifetimeMs({}, now), undefined);
});

test("parseRemoteJwks skips encryption keys, secrets and junk; refuses a set with no usable key", () => {
  const keys = parseRemoteJwks({
    keys: [k1.jwk, { ...k2.jwk, use: "enc" }, { kty: "oct", k: "AAAA" }, { kty: "RSA" }, "junk", k1.jwk],
  });
  assert.deepEqual(
    keys.map((k) => k.kid),
    ["k1"],
  );
  assert.throws(() => parseRemoteJwks({ keys: [{ kty: "oct", k: "AAAA" }] }), HttpJsonError);
  assert.throws(() => parseRemoteJwks([k1.jwk]), HttpJsonError);
});

test("fetched on first need only; cached for its lifetime (clamped to min TTL)", async () => {
  let now = 1_000_000;
  const idp = scripted({ ...jwks(k1.jwk), headers: { "cache-control": "max-age=5" } });
  const set = new RemoteJwks(
    "http://idp/jwks",
    OPTS,
    idp.fetcher,
    () => {},
    () => now,
  );
  assert.equal(set.use(), undefined);
  assert.equal(idp.calls, 0, "nothing is fetched before a request needs keys");
  await set.firstFetch();
  assert.equal(set.use()?.length, 1);
  assert.equal(set.generation, 1);
  now += 30_000; // max-age=5 is clamped up to the 60 s minimum
  set.use();
  assert.equal(idp.calls, 1);
  now += 31_000;
  assert.equal(set.use()?.[0]?.kid, "k1", "an expired set is still served while it refreshes");
  assert.equal(idp.calls, 2, "…and a background refresh started");
  set.dispose();
});

test("unknown kid: refetch at once, then at most once per cooldown; concurrent misses share one fetch", async () => {
  let now = 1_000_000;
  const idp = scripted(jwks(k1.jwk), jwks(k1.jwk, k2.jwk));
  const set = new RemoteJwks(
    "http://idp/jwks",
    OPTS,
    idp.fetcher,
    () => {},
    () => now,
  );
  await set.firstFetch();
  idp.hold();
  const a = set.refetchForUnknownKid();
  const b = set.refetchForUnknownKid();
  assert.ok(a !== undefined && a === b, "the second miss joins the running fetch");
  idp.release();
  await a;
  assert.deepEqual(
    set.use()?.map((k) => k.kid),
    ["k1", "k2"],
  );
  assert.equal(set.generation, 2);
  assert.equal(set.refetchForUnknownKid(), undefined, "within the cooldown: no fetch");
  for (let i = 0; i < 1000; i++) set.refetchForUnknownKid();
  assert.equal(idp.calls, 2, "a flood of unknown kids costs no more fetches");
  now += 30_000;
  await set.refetchForUnknownKid();
  assert.equal(idp.calls, 3, "after the cooldown, one more");
  set.dispose();
});

test("a failed refresh keeps the last good keys; failures back off", async () => {
  let now = 1_000_000;
  const warnings: unknown[] = [];
  const idp = scripted(jwks(k1.jwk), new HttpJsonError("ECONNREFUSED", "down"));
  const set = new RemoteJwks(
    "http://idp/jwks",
    OPTS,
    idp.fetcher,
    (f) => warnings.push(f),
    () => now,
  );
  await set.firstFetch();
  now += 30_000;
  await set.refetchForUnknownKid();
  assert.equal(set.use()?.[0]?.kid, "k1", "the last good set is kept");
  assert.equal(warnings.length, 1);
  now += 500;
  now += 30_000; // past the kid cooldown but the failure backoff (1 s) has passed too
  assert.notEqual(set.refetchForUnknownKid(), undefined);
  set.dispose();
});

test("never fetched and the IdP is down: no keys, and retries wait for the backoff", async () => {
  let now = 1_000_000;
  const idp = scripted(new HttpJsonError("ECONNREFUSED", "down"), jwks(k1.jwk));
  const set = new RemoteJwks(
    "http://idp/jwks",
    OPTS,
    idp.fetcher,
    () => {},
    () => now,
  );
  await set.firstFetch();
  assert.equal(set.use(), undefined);
  assert.equal(set.firstFetch(), undefined, "backing off after a failure");
  now += 1_000;
  await set.firstFetch();
  assert.equal(set.use()?.length, 1, "the IdP is back: keys arrive");
  set.dispose();
});

test("a new process falls back on the set its predecessor saved only when the IdP is down", async () => {
  const dir = await mkdtemp(join(tmpdir(), "palisade-jwks-"));
  try {
    let now = 1_000_000;
    const store = new JwksDirectory(dir);
    /** One process's view of a JWKS URL, saving to and restoring from `store`. */
    const newProcess = (fetcher: JwksFetcher, url = "http://idp/jwks") =>
      new RemoteJwks(
        url,
        OPTS,
        fetcher,
        () => {},
        () => now,
        store,
      );
    const up = scripted(jwks(k1.jwk));
    const first = newProcess(up.fetcher);
    await first.firstFetch();
    first.dispose();
    const file = join(dir, `${createHash("sha256").update("http://idp/jwks").digest("hex")}.json`);
    while (!(await stat(file).catch(() => undefined))) await new Promise((r) => setImmediate(r));

    // The next process (a worker after SIGHUP): the IdP is down.
    now += 120_000;
    const down = scripted(new HttpJsonError("ECONNREFUSED", "down"));
    const next = newProcess(down.fetcher);
    assert.equal(next.use(), undefined, "the saved set waits for the first fetch");
    await next.firstFetch();
    assert.equal(down.calls, 1);
    assert.equal(next.use()?.[0]?.kid, "k1", "the fetch failed: the saved keys verify");
    next.dispose();

    // The IdP answers with another set (k1 revoked, or the saved file tampered with): the saved
    // set is never used.
    const rotated = scripted(jwks(k2.jwk));
    const fresh = newProcess(rotated.fetcher);
    assert.equal(fresh.use(), undefined);
    await fresh.firstFetch();
    assert.deepEqual(
      fresh.use()?.map((k) => k.kid),
      ["k2"],
      "only what the IdP publishes now",
    );
    fresh.dispose();
    // k2 is saved now (in the background); put k1's save back for the checks below.
    const savedKids = async () =>
      ((JSON.parse(await readFile(file, "utf8")).jwks as { keys: { kid: string }[] }).keys ?? []).map((k) => k.kid);
    while ((await savedKids())[0] !== "k2") await new Promise((r) => setImmediate(r));
    store.save("http://idp/jwks", { keys: [k1.jwk] }, now);
    while ((await savedKids())[0] !== "k1") await new Promise((r) => setImmediate(r));

    // Another URL, or a save older than the largest TTL, is not trusted.
    const other = newProcess(down.fetcher, "http://other/jwks");
    assert.equal(other.use(), undefined);
    await other.firstFetch();
    assert.equal(other.use(), undefined, "no save for this URL: fails closed");
    other.dispose();
    now += OPTS.maxTtlMs + 1;
    const old = newProcess(down.fetcher);
    assert.equal(old.use(), undefined);
    await old.firstFetch();
    assert.equal(old.use(), undefined, "older than jwks_max_ttl: not trusted, fails closed");
    old.dispose();
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")).url, "http://idp/jwks");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("requestJson: JSON answers, size limit, timeout, connection refused", async () => {
  const server = createServer((req, res) => {
    if (req.url === "/big") res.end(`{"k":"${"x".repeat(2048)}"}`);
    else if (req.url === "/slow") setTimeout(() => res.end("{}"), 2_000).unref();
    else if (req.url === "/text") res.end("not json");
    else res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = createAuthAgent();
  try {
    const ok = await requestJson(agent, `${base}/`, { timeoutMs: 1000, maxBytes: 1024 });
    assert.deepEqual(ok.json, { ok: true });
    await assert.rejects(requestJson(agent, `${base}/big`, { timeoutMs: 1000, maxBytes: 1024 }), { code: "TOO_LARGE" });
    await assert.rejects(requestJson(agent, `${base}/slow`, { timeoutMs: 200, maxBytes: 1024 }), { code: "TIMEOUT" });
    await assert.rejects(requestJson(agent, `${base}/text`, { timeoutMs: 1000, maxBytes: 1024 }), { code: "BAD_JSON" });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  await assert.rejects(requestJson(agent, `${base}/`, { timeoutMs: 1000, maxBytes: 1024 }), HttpJsonError);
  await agent.close();
});
