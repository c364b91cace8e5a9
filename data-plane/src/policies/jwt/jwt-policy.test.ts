import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { JwtPolicySchema } from "@palisade/proto";
import { base64url, exportJWK, exportSPKI, generateKeyPair, generateSecret, SignJWT } from "jose";
import { nowS, rsaKeys } from "../../test/fixtures.js";
import { testRequest } from "../test-request.js";
import type { PolicyContext, PolicyInstance, PolicyOutcome } from "../types.js";
import { claimHeaderValue, createJwtPolicy, type JwtPolicyOptions } from "./jwt-policy.js";
import { RemoteJwksCache } from "./remote-jwks.js";

const keys = await rsaKeys("k1");
const ISS = "https://idp.test";
const AUD = "api";

function policy(
  cfg: Parameters<typeof create<typeof JwtPolicySchema>>[1],
  opts: JwtPolicyOptions = {},
  ctx?: PolicyContext,
) {
  return createJwtPolicy(
    create(JwtPolicySchema, cfg),
    ctx ?? { id: "jwt-test", warn: () => {} },
    new RemoteJwksCache(),
    opts,
  );
}

const standard = () =>
  policy({
    jwksJson: keys.jwksJson,
    algorithms: ["RS256"],
    issuers: [ISS],
    audiences: [AUD],
    claimsToHeaders: { sub: "X-User-Id", tenant: "x-tenant" },
  });

async function check(p: PolicyInstance, authorization: string | undefined): Promise<PolicyOutcome> {
  return p.check(testRequest({ headers: authorization === undefined ? {} : { authorization } }));
}

function assertDenied(o: PolicyOutcome, code: string, challenge: RegExp = /error="invalid_token"/): void {
  assert.equal(o.allow, false, "expected a denial");
  if (o.allow || o.response !== undefined) return;
  assert.equal(o.code, code);
  assert.match(o.responseHeaders?.["www-authenticate"] ?? "", /^Bearer realm="palisade"/);
  assert.match(o.responseHeaders?.["www-authenticate"] ?? "", challenge);
}

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISS,
  aud: AUD,
  sub: "user-1",
  exp: nowS() + 300,
  ...extra,
});

test("a valid token is allowed; claims become headers; Authorization is stripped", async () => {
  const o = await check(standard(), `Bearer ${await keys.sign(claims({ tenant: "acme" }))}`);
  assert.equal(o.allow, true);
  assert.deepEqual(o.allow && o.upstreamHeaders, { authorization: null, "x-user-id": "user-1", "x-tenant": "acme" });
});

test("an absent claim removes its header (never the client's value)", async () => {
  const o = await check(standard(), `Bearer ${await keys.sign(claims())}`);
  assert.equal(o.allow && o.upstreamHeaders?.["x-tenant"], null);
});

test("forward_token keeps Authorization", async () => {
  const p = policy({ jwksJson: keys.jwksJson, forwardToken: true });
  const o = await check(p, `Bearer ${await keys.sign(claims())}`);
  assert.equal(o.allow, true);
  assert.equal(o.allow && o.upstreamHeaders !== null && "authorization" in o.upstreamHeaders, false);
});

test("lower-case bearer is accepted", async () => {
  const o = await check(standard(), `bearer ${await keys.sign(claims())}`);
  assert.equal(o.allow, true);
});

test("missing header → AUTH_TOKEN_MISSING with a bare challenge", async () => {
  const o = await check(standard(), undefined);
  assertDenied(o, "AUTH_TOKEN_MISSING", /^Bearer realm="palisade"$/);
});

test("two spaces, Basic, malformed → AUTH_TOKEN_INVALID", async () => {
  const token = await keys.sign(claims());
  assertDenied(await check(standard(), `Bearer  ${token}`), "AUTH_TOKEN_INVALID");
  assertDenied(await check(standard(), "Basic dXNlcjpwYXNz"), "AUTH_TOKEN_INVALID");
  assertDenied(await check(standard(), "Bearer not.a.jwt"), "AUTH_TOKEN_INVALID");
  assertDenied(await check(standard(), "Bearer abc"), "AUTH_TOKEN_INVALID");
});

test("two tokens in one header → AUTH_AMBIGUOUS", async () => {
  const token = await keys.sign(claims());
  assertDenied(await check(standard(), `Bearer ${token}, Bearer ${token}`), "AUTH_AMBIGUOUS", /invalid_request/);
});

test("expired, not yet valid, wrong iss, wrong aud → invalid", async () => {
  const p = standard();
  const now = nowS();
  for (const bad of [
    claims({ exp: now - 60 }),
    claims({ nbf: now + 600 }),
    claims({ iss: "https://evil.test" }),
    claims({ aud: "other" }),
  ]) {
    assertDenied(await check(p, `Bearer ${await keys.sign(bad)}`), "AUTH_TOKEN_INVALID");
  }
});

test("leeway_s tolerates a just-expired token", async () => {
  const p = policy({ jwksJson: keys.jwksJson, leewayS: 120 });
  const o = await check(p, `Bearer ${await keys.sign(claims({ exp: nowS() - 30 }))}`);
  assert.equal(o.allow, true);
});

test('alg "none" is refused', async () => {
  const header = base64url.encode(JSON.stringify({ alg: "none" }));
  const payload = base64url.encode(JSON.stringify(claims()));
  assertDenied(await check(standard(), `Bearer ${header}.${payload}.`), "AUTH_TOKEN_INVALID");
});

test("HS256 signed with the RSA public key PEM as secret is refused (alg confusion)", async () => {
  const pem = await exportSPKI(keys.publicKey);
  const forged = await new SignJWT(claims())
    .setProtectedHeader({ alg: "HS256", kid: "k1" })
    .sign(new TextEncoder().encode(pem));
  assertDenied(await check(standard(), `Bearer ${forged}`), "AUTH_TOKEN_INVALID");
  // Even with HS256 allowed (and a real oct key configured), the RSA key is never an HMAC secret.
  const oct = { kty: "oct", kid: "h1", k: base64url.encode(crypto.getRandomValues(new Uint8Array(32))) };
  const both = policy({
    jwksJson: JSON.stringify({ keys: [keys.jwk, oct] }),
    algorithms: ["RS256", "HS256"],
  });
  assertDenied(await check(both, `Bearer ${forged}`), "AUTH_TOKEN_INVALID");
});

test("a token signed by another key is refused", async () => {
  const other = await rsaKeys("k1");
  assertDenied(await check(standard(), `Bearer ${await other.sign(claims())}`), "AUTH_TOKEN_INVALID");
});

test("an RS256-only policy refuses an ES256 token even with a matching kid", async () => {
  const { privateKey } = await generateKeyPair("ES256");
  const t = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid: "k1" }).sign(privateKey);
  assertDenied(await check(standard(), `Bearer ${t}`), "AUTH_TOKEN_INVALID");
});

test("the algorithm allow-list is enforced even when a configured key fits the token", async () => {
  const ec = await generateKeyPair("ES256", { extractable: true });
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: "e1" };
  const p = policy({ jwksJson: JSON.stringify({ keys: [keys.jwk, ecJwk] }), algorithms: ["RS256"] });
  const t = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid: "e1" }).sign(ec.privateKey);
  assertDenied(await check(p, `Bearer ${t}`), "AUTH_TOKEN_INVALID");
  const open = policy({ jwksJson: JSON.stringify({ keys: [keys.jwk, ecJwk] }), algorithms: ["RS256", "ES256"] });
  assert.equal((await check(open, `Bearer ${t}`)).allow, true, "the same token passes when ES256 is allowed");
});

test("jku / jwk headers are never trusted", async () => {
  const attacker = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(attacker.publicKey);
  const t = await new SignJWT(claims())
    .setProtectedHeader({ alg: "RS256", jwk, jku: "https://evil.test/jwks" })
    .sign(attacker.privateKey);
  assertDenied(await check(standard(), `Bearer ${t}`), "AUTH_TOKEN_INVALID");
});

test("HS256 with an inline oct key works when allowed", async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const p = policy({
    jwksJson: JSON.stringify({ keys: [{ kty: "oct", kid: "h1", k: base64url.encode(secret) }] }),
    algorithms: ["HS256"],
  });
  const good = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: "h1" }).sign(secret);
  assert.equal((await check(p, `Bearer ${good}`)).allow, true);
  const wrong = await new SignJWT(claims())
    .setProtectedHeader({ alg: "HS256", kid: "h1" })
    .sign(await generateSecret("HS256", { extractable: true }));
  assertDenied(await check(p, `Bearer ${wrong}`), "AUTH_TOKEN_INVALID");
});

test("results are cached by token until exp, then verified again", async () => {
  let now = Date.now();
  const p = policy({ jwksJson: keys.jwksJson }, { now: () => now });
  const exp = Math.floor(now / 1000) + 60;
  const auth = `Bearer ${await keys.sign(claims({ exp }))}`;
  const first = p.check(testRequest({ headers: { authorization: auth } }));
  assert.ok(first instanceof Promise, "first check verifies");
  assert.equal((await first).allow, true);
  const second = p.check(testRequest({ headers: { authorization: auth } }));
  assert.ok(!(second instanceof Promise), "second check is a cache hit");
  assert.equal((second as PolicyOutcome).allow, true);
  now = exp * 1000 + 1;
  const third = p.check(testRequest({ headers: { authorization: auth } }));
  assert.ok(third instanceof Promise, "the cached result died at exp");
  assertDenied(await third, "AUTH_TOKEN_INVALID");
});

test("remote JWKS: fetched lazily and used; fails closed when it cannot be fetched", async () => {
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader("content-type", "application/json");
    res.end(keys.jwksJson);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const p = policy({ jwksUrl: `http://127.0.0.1:${port}/jwks` });
    assert.equal(fetches, 0, "creating the policy fetches nothing");
    assert.equal((await check(p, `Bearer ${await keys.sign(claims())}`)).allow, true);
    assert.equal(fetches, 1);
  } finally {
    server.closeAllConnections();
    server.close();
  }

  const warnings: string[] = [];
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((r) => closed.close(() => r()));
  const down = policy(
    { jwksUrl: `http://127.0.0.1:${port}/jwks` },
    {},
    { id: "down", warn: (_f, m) => warnings.push(m) },
  );
  assertDenied(await check(down, `Bearer ${await keys.sign(claims())}`), "AUTH_TOKEN_INVALID");
  assert.equal(warnings.length, 1);
});

test("claimHeaderValue: strings, numbers, arrays, objects; unsafe text dropped", () => {
  assert.equal(claimHeaderValue("a"), "a");
  assert.equal(claimHeaderValue(42), "42");
  assert.equal(claimHeaderValue(true), "true");
  assert.equal(claimHeaderValue(["a", "b"]), "a, b");
  assert.equal(claimHeaderValue({ a: 1 }), '{"a":1}');
  assert.equal(claimHeaderValue(undefined), null);
  assert.equal(claimHeaderValue("evil\r\nX-Admin: 1"), null);
});
