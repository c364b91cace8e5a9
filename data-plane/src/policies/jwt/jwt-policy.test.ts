import assert from "node:assert/strict";
import { createHmac, createPublicKey } from "node:crypto";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ConsumerSchema, JwtPolicySchema } from "@palisade/proto";
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { nowS, policyRequest, rsaKeys } from "../../test/fixtures.js";
import { ConsumerIndex, NO_CONSUMERS } from "../auth/consumers.js";
import type { Policy as PolicyInstance } from "../contract.js";
import type { PolicyContext } from "../factory.js";
import { createPolicyResources } from "../registry.js";
import { authOutcome, type AuthOutcome as PolicyOutcome } from "../test-request.js";
import { isCanonicalBase64url } from "./jws.js";
import { createJwtPolicy, type JwtPolicyOptions } from "./jwt-policy.js";

const keys = await rsaKeys("k1");
const ISS = "https://idp.test";
const AUD = "api";
const resources = createPolicyResources();

function policy(
  cfg: MessageInitShape<typeof JwtPolicySchema>,
  opts: JwtPolicyOptions = {},
  ctx: Partial<PolicyContext> = {},
): PolicyInstance {
  return createJwtPolicy(
    create(JwtPolicySchema, cfg),
    { id: "jwt-test", warn: () => {}, consumers: NO_CONSUMERS, ...ctx },
    resources.remoteJwks,
    opts,
  );
}

const standard = (extra: MessageInitShape<typeof JwtPolicySchema> = {}) =>
  policy({
    jwksJson: keys.jwksJson,
    algorithms: ["RS256"],
    issuers: [ISS],
    audiences: [AUD],
    leewayS: 60,
    claimsToHeaders: { sub: "X-User-Id", tenant: "x-tenant" },
    ...extra,
  });

async function check(p: PolicyInstance, authorization: string | undefined, query = ""): Promise<PolicyOutcome> {
  return authOutcome(p, policyRequest(authorization === undefined ? {} : { authorization }, query));
}

function assertDenied(o: PolicyOutcome, code: string, reason?: string, challenge: RegExp = /error="invalid_token"/) {
  assert.equal(o.allow, false, "expected a denial");
  if (o.allow) return;
  assert.equal(o.code, code);
  if (reason !== undefined) assert.equal(o.reason, reason);
  if (code !== "AUTH_UNAVAILABLE") {
    assert.match(o.responseHeaders?.["www-authenticate"] ?? "", /^Bearer realm="palisade"/);
    assert.match(o.responseHeaders?.["www-authenticate"] ?? "", challenge);
  }
}

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISS,
  aud: AUD,
  sub: "user-1",
  iat: nowS(),
  exp: nowS() + 300,
  ...extra,
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

test("a valid token is allowed; claims become headers; Authorization is stripped", async () => {
  const o = await check(standard(), `Bearer ${await keys.sign(claims({ tenant: "acme" }))}`);
  assert.equal(o.allow, true);
  assert.deepEqual(o.allow && o.upstreamHeaders, { authorization: null, "x-user-id": "user-1", "x-tenant": "acme" });
  assert.equal(o.allow && o.authMethod, "jwt");
});

test("an absent claim removes its header (never the client's value)", async () => {
  const o = await check(standard(), `Bearer ${await keys.sign(claims())}`);
  assert.equal(o.allow && o.upstreamHeaders?.["x-tenant"], null);
});

test("forward_token forwards the verified token, normalized", async () => {
  const t = await keys.sign(claims());
  const o = await check(standard({ forwardToken: true }), `bearer ${t}`);
  assert.equal(o.allow && o.upstreamHeaders?.authorization, `Bearer ${t}`);
});

test("missing header → AUTH_TOKEN_MISSING with a bare challenge", async () => {
  assertDenied(
    await check(standard(), undefined),
    "AUTH_TOKEN_MISSING",
    "credential_missing",
    /^Bearer realm="palisade"$/,
  );
});

test("two spaces, Basic, not a JWS → AUTH_TOKEN_INVALID", async () => {
  const token = await keys.sign(claims());
  assertDenied(await check(standard(), `Bearer  ${token}`), "AUTH_TOKEN_INVALID", "credential_malformed");
  assertDenied(await check(standard(), "Basic dXNlcjpwYXNz"), "AUTH_TOKEN_INVALID", "credential_malformed");
  assertDenied(await check(standard(), "Bearer not.a.jwt"), "AUTH_TOKEN_INVALID", "token_header_invalid");
  assertDenied(await check(standard(), "Bearer abc"), "AUTH_TOKEN_INVALID", "credential_malformed");
  assertDenied(await check(standard(), `Bearer ${token}.x`), "AUTH_TOKEN_INVALID", "credential_malformed");
});

test("a comma list in Authorization is not one credential → 401", async () => {
  const token = await keys.sign(claims());
  assertDenied(
    await check(standard(), `Bearer ${token}, Bearer ${token}`),
    "AUTH_TOKEN_INVALID",
    "credential_malformed",
  );
  assertDenied(await check(standard(), `Bearer ${token},`), "AUTH_TOKEN_INVALID", "credential_malformed");
});

test("time claims: expired, not yet valid, issued in the future, string exp, missing exp", async () => {
  const p = standard();
  const now = nowS();
  const cases: [Record<string, unknown>, string][] = [
    [claims({ exp: now - 3600 }), "token_expired"],
    [claims({ exp: now - 61 }), "token_expired"],
    [claims({ nbf: now + 3600 }), "token_not_yet_valid"],
    [claims({ iat: now + 3600 }), "token_issued_in_future"],
    [claims({ exp: "4102444800" }), "token_claims_invalid"],
    [claims({ nbf: "0" }), "token_claims_invalid"],
    [claims({ exp: undefined }), "token_claim_missing"],
    [claims({ iss: "https://evil.test" }), "token_issuer_mismatch"],
    [claims({ aud: "other" }), "token_audience_mismatch"],
    [claims({ aud: ["other", "another"] }), "token_audience_mismatch"],
  ];
  for (const [c, reason] of cases) {
    assertDenied(await check(p, `Bearer ${await keys.sign(c)}`), "AUTH_TOKEN_INVALID", reason);
  }
  assert.equal((await check(p, `Bearer ${await keys.sign(claims({ aud: ["x", AUD] }))}`)).allow, true);
});

test("leeway: a token expired 30 s ago passes with 60 s leeway, not with 0", async () => {
  const t = `Bearer ${await keys.sign(claims({ exp: nowS() - 30, nbf: nowS() + 30 }))}`;
  assert.equal((await check(standard(), t)).allow, true);
  assertDenied(await check(standard({ leewayS: 0 }), t), "AUTH_TOKEN_INVALID", "token_expired");
});

test("exp_optional accepts a token without exp; max_lifetime_s and max_token_age_s bound it", async () => {
  const noExp = `Bearer ${await keys.sign(claims({ exp: undefined }))}`;
  assert.equal((await check(standard({ expOptional: true }), noExp)).allow, true);
  assertDenied(
    await check(standard({ expOptional: true, maxLifetimeS: 86_400 }), noExp),
    "AUTH_TOKEN_INVALID",
    "token_lifetime_too_long",
  );
  const tenYears = `Bearer ${await keys.sign(claims({ exp: nowS() + 10 * 365 * 86_400 }))}`;
  assert.equal((await check(standard(), tenYears)).allow, true);
  assertDenied(
    await check(standard({ maxLifetimeS: 86_400 }), tenYears),
    "AUTH_TOKEN_INVALID",
    "token_lifetime_too_long",
  );
  const old = `Bearer ${await keys.sign(claims({ iat: nowS() - 7200 }))}`;
  assertDenied(await check(standard({ maxTokenAgeS: 3600 }), old), "AUTH_TOKEN_INVALID", "token_too_old");
  const noIat = `Bearer ${await keys.sign(claims({ iat: undefined }))}`;
  assertDenied(await check(standard({ maxTokenAgeS: 3600 }), noIat), "AUTH_TOKEN_INVALID", "token_claim_missing");
});

test("required claims and claim rules (scope contains, role equals → 403 insufficient_scope)", async () => {
  const p = standard({
    requiredClaims: ["tenant"],
    claimRules: [
      { claim: "scope", match: { case: "contains", value: "orders:read" } },
      { claim: "role", match: { case: "equals", value: "admin" } },
    ],
  });
  const ok = claims({ tenant: "t", scope: "profile orders:read", role: "admin" });
  assert.equal((await check(p, `Bearer ${await keys.sign(ok)}`)).allow, true);
  assertDenied(
    await check(p, `Bearer ${await keys.sign({ ...ok, tenant: undefined })}`),
    "AUTH_TOKEN_INVALID",
    "token_claim_missing",
  );
  for (const bad of [
    { ...ok, scope: "orders:read:all" },
    { ...ok, scope: undefined },
    { ...ok, role: "user" },
    { ...ok, role: ["admin"] },
  ]) {
    assertDenied(
      await check(p, `Bearer ${await keys.sign(bad)}`),
      "AUTH_FORBIDDEN",
      "claim_rule_failed",
      /insufficient_scope/,
    );
  }
  const arr = standard({ claimRules: [{ claim: "realm.roles", match: { case: "contains", value: "ops" } }] });
  assert.equal(
    (await check(arr, `Bearer ${await keys.sign(claims({ realm: { roles: ["dev", "ops"] } }))}`)).allow,
    true,
  );
});

// --- algorithm confusion and header trust (C09, C13) ---------------------------------------

test('alg "none" in any spelling, with or without a signature, is refused', async () => {
  const real = (await keys.sign(claims())).split(".")[2];
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    for (const sig of ["", real]) {
      const t = `${b64({ alg, typ: "JWT" })}.${b64(claims({ role: "admin" }))}.${sig}`;
      assertDenied(await check(standard(), `Bearer ${t}`), "AUTH_TOKEN_INVALID", "token_alg_not_allowed");
    }
  }
});

test("HS256 signed with the RSA public key (PEM or JWK text) is refused, even with HS256 allowed", async () => {
  const pem = await exportSPKI(keys.publicKey);
  const forge = (secret: string, kid = "k1") => {
    const h = b64({ alg: "HS256", typ: "JWT", kid });
    const p = b64(claims());
    return `${h}.${p}.${createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url")}`;
  };
  assertDenied(await check(standard(), `Bearer ${forge(pem)}`), "AUTH_TOKEN_INVALID", "token_alg_not_allowed");
  const oct = { kty: "oct", kid: "h1", k: base64url.encode(crypto.getRandomValues(new Uint8Array(32))) };
  const both = policy({ jwksJson: JSON.stringify({ keys: [keys.jwk, oct] }), algorithms: ["RS256", "HS256"] });
  for (const secret of [pem, JSON.stringify(keys.jwk), ""]) {
    const o = await check(both, `Bearer ${forge(secret)}`);
    assertDenied(o, "AUTH_TOKEN_INVALID");
  }
});

test("kid is only a lookup key: traversal, SQL, URL, NUL, 10 KB, object kids are refused", async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const p = policy({
    jwksJson: JSON.stringify({ keys: [keys.jwk, { kty: "oct", kid: "idp-hs", k: base64url.encode(secret) }] }),
    algorithms: ["RS256", "HS256"],
  });
  const hs = (kid: unknown, key: Uint8Array | string) => {
    const h = b64({ alg: "HS256", kid });
    const pl = b64(claims({ role: "admin" }));
    return `${h}.${pl}.${createHmac("sha256", key).update(`${h}.${pl}`).digest("base64url")}`;
  };
  for (const kid of [
    "../../../../../../dev/null",
    "x' OR '1'='1",
    "k1\u0000",
    "http://attacker.example.test/k",
    "k".repeat(10_000),
  ]) {
    assertDenied(await check(p, `Bearer ${hs(kid, "")}`), "AUTH_TOKEN_INVALID", "token_key_unknown");
  }
  assertDenied(await check(p, `Bearer ${hs({ a: 1 }, "")}`), "AUTH_TOKEN_INVALID", "token_header_invalid");
  assertDenied(await check(p, `Bearer ${hs("idp-hs", "")}`), "AUTH_TOKEN_INVALID", "token_signature_invalid");
  assert.equal((await check(p, `Bearer ${hs("idp-hs", secret)}`)).allow, true, "the real HMAC key still works");
});

test("jku / x5u / jwk / x5c headers are never used to find a key", async () => {
  const attacker = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(attacker.publicKey);
  for (const header of [
    { jwk },
    { jku: "https://evil.test/jwks" },
    { x5u: "https://evil.test/cert.pem" },
    { x5c: ["MIIB"] },
  ]) {
    const t = await new SignJWT(claims())
      .setProtectedHeader({ alg: "RS256", kid: "k1", ...header })
      .sign(attacker.privateKey);
    assertDenied(await check(standard(), `Bearer ${t}`), "AUTH_TOKEN_INVALID", "token_signature_invalid");
  }
});

test("crit headers are refused (no extension is understood, RFC 7515 §4.1.11)", async () => {
  const t = keys.signRaw({ alg: "RS256", kid: "k1", crit: ["exp"], exp: 1 }, claims());
  assertDenied(await check(standard(), `Bearer ${t}`), "AUTH_TOKEN_INVALID", "token_header_invalid");
});

test("a token signed by another key with the same kid is refused", async () => {
  const other = await rsaKeys("k1");
  assertDenied(
    await check(standard(), `Bearer ${await other.sign(claims())}`),
    "AUTH_TOKEN_INVALID",
    "token_signature_invalid",
  );
});

test("the algorithm allow-list is enforced even when a configured key fits the token", async () => {
  const ec = await generateKeyPair("ES256", { extractable: true });
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: "e1" };
  const t = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid: "e1" }).sign(ec.privateKey);
  const p = policy({ jwksJson: JSON.stringify({ keys: [keys.jwk] }), algorithms: ["RS256"] });
  assertDenied(await check(p, `Bearer ${t}`), "AUTH_TOKEN_INVALID", "token_alg_not_allowed");
  const open = policy({ jwksJson: JSON.stringify({ keys: [keys.jwk, ecJwk] }), algorithms: ["RS256", "ES256"] });
  assert.equal((await check(open, `Bearer ${t}`)).allow, true, "the same token passes when ES256 is allowed");
  // An RS256 token cannot be verified with the EC key, nor an ES256 token with the RSA key.
  const rsWithEcKid = await keys.sign(claims(), { kid: "e1" });
  assertDenied(await check(open, `Bearer ${rsWithEcKid}`), "AUTH_TOKEN_INVALID", "token_key_unknown");
});

test("every supported algorithm family verifies, through JWK and PEM keys", async () => {
  for (const alg of ["RS384", "PS256", "PS512", "ES256", "ES384", "ES512", "EdDSA"]) {
    const kp = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(kp.publicKey)), kid: "x" };
    const t = await new SignJWT(claims()).setProtectedHeader({ alg, kid: "x" }).sign(kp.privateKey);
    const viaJwk = policy({ jwksJson: JSON.stringify({ keys: [jwk] }), algorithms: [alg] });
    assert.equal((await check(viaJwk, `Bearer ${t}`)).allow, true, `${alg} via JWK`);
    const pem = await exportSPKI(kp.publicKey);
    const viaPem = policy({ pemKeys: [{ pem }], algorithms: [alg] });
    assert.equal((await check(viaPem, `Bearer ${t}`)).allow, true, `${alg} via PEM (key without kid)`);
    const tampered = `${t.slice(0, t.lastIndexOf(".") + 1)}${b64("x")}`;
    assertDenied(await check(viaJwk, `Bearer ${tampered}`), "AUTH_TOKEN_INVALID", "token_signature_invalid");
  }
});

test("a PEM key with a kid verifies only tokens with that kid (or none)", async () => {
  const pem = await exportSPKI(keys.publicKey);
  const p = policy({ pemKeys: [{ pem, kid: "pem-1" }], algorithms: ["RS256"] });
  assert.equal((await check(p, `Bearer ${await keys.sign(claims(), { kid: "pem-1" })}`)).allow, true);
  assertDenied(
    await check(p, `Bearer ${await keys.sign(claims(), { kid: "other" })}`),
    "AUTH_TOKEN_INVALID",
    "token_key_unknown",
  );
});

// --- token sources (C19) -------------------------------------------------------------------

test("query token only when enabled; always stripped; token in two places → 400", async () => {
  const t = await keys.sign(claims());
  assertDenied(await check(standard(), undefined, `?access_token=${t}`), "AUTH_TOKEN_MISSING", undefined, /realm/);
  const q = standard({ tokenQueryParam: "access_token" });
  const o = await check(q, undefined, `?a=1&access_token=${t}&b=2`);
  assert.equal(o.allow, true);
  assert.deepEqual(o.allow && o.stripQuery, ["access_token"]);
  assertDenied(
    await check(q, `Bearer ${t}`, `?access_token=${t}`),
    "AUTH_AMBIGUOUS",
    "credential_ambiguous",
    /invalid_request/,
  );
  assertDenied(
    await check(q, undefined, `?access_token=${t}&access_token=${t}`),
    "AUTH_AMBIGUOUS",
    undefined,
    /request/,
  );
  assertDenied(
    await check(q, undefined, `?%61ccess_token=${t}&access_token=${t}`),
    "AUTH_AMBIGUOUS",
    undefined,
    /request/,
  );
});

test("cookie token: read, removed from Cookie unless forwarded; named header: raw token", async () => {
  const t = await keys.sign(claims());
  const c = standard({ tokenCookie: "jwt" });
  const o = await authOutcome(c, policyRequest({ cookie: `a=1; jwt=${t}; b=2` }));
  assert.equal(o.allow && o.upstreamHeaders?.cookie, "a=1; b=2");
  const only = await authOutcome(c, policyRequest({ cookie: `jwt=${t}` }));
  assert.equal(only.allow && only.upstreamHeaders?.cookie, null);
  const amb = /invalid_request/;
  assertDenied(
    await authOutcome(c, policyRequest({ cookie: `jwt=${t}`, authorization: `Bearer ${t}` })),
    "AUTH_AMBIGUOUS",
    undefined,
    amb,
  );
  assertDenied(await authOutcome(c, policyRequest({ cookie: `jwt=${t}; jwt=${t}` })), "AUTH_AMBIGUOUS", undefined, amb);
  assertDenied(
    await authOutcome(standard(), policyRequest({ cookie: `jwt=${t}` })),
    "AUTH_TOKEN_MISSING",
    undefined,
    /realm/,
  );

  const h = standard({ tokenHeader: "X-Token" });
  const ho = await authOutcome(h, policyRequest({ "x-token": t }));
  assert.equal(ho.allow && ho.upstreamHeaders?.["x-token"], null);
  assertDenied(await authOutcome(h, policyRequest({ "x-token": [t, t] })), "AUTH_AMBIGUOUS", undefined, amb);
  assertDenied(
    await authOutcome(h, policyRequest({ authorization: `Bearer ${t}` })),
    "AUTH_TOKEN_MISSING",
    undefined,
    /realm/,
  );
});

// --- consumers -----------------------------------------------------------------------------

test("a token maps to its consumer by iss+sub or a claim; disabled → 401; require_consumer", async () => {
  const consumers = new ConsumerIndex([
    create(ConsumerSchema, {
      id: "c-1",
      name: "alice",
      credentials: [{ id: "cr-1", kind: { case: "jwt", value: { issuer: ISS, subject: "user-1" } } }],
    }),
    create(ConsumerSchema, {
      id: "c-2",
      name: "svc",
      credentials: [{ id: "cr-2", kind: { case: "jwt", value: { issuer: ISS, claim: "client_id", value: "svc-a" } } }],
    }),
    create(ConsumerSchema, {
      id: "c-3",
      name: "gone",
      disabled: true,
      credentials: [{ id: "cr-3", kind: { case: "jwt", value: { issuer: ISS, subject: "user-3" } } }],
    }),
  ]);
  const p = policy({ jwksJson: keys.jwksJson, requireConsumer: true }, {}, { consumers });
  const a = await check(p, `Bearer ${await keys.sign(claims())}`);
  assert.deepEqual(a.allow && a.consumer, { id: "c-1", name: "alice" });
  const s = await check(p, `Bearer ${await keys.sign(claims({ sub: "x", client_id: "svc-a" }))}`);
  assert.deepEqual(s.allow && s.consumer, { id: "c-2", name: "svc" });
  const d = await check(p, `Bearer ${await keys.sign(claims({ sub: "user-3" }))}`);
  assertDenied(d, "AUTH_TOKEN_INVALID", "consumer_disabled");
  assert.equal(!d.allow && d.consumer?.id, "c-3");
  assertDenied(
    await check(p, `Bearer ${await keys.sign(claims({ sub: "nobody" }))}`),
    "AUTH_TOKEN_INVALID",
    "consumer_unknown",
  );
});

// --- cache ---------------------------------------------------------------------------------

test("results are cached by token hash until exp, then verified again; cache: false verifies each time", async () => {
  let now = Date.now();
  const p = policy({ jwksJson: keys.jwksJson }, { now: () => now });
  const exp = Math.floor(now / 1000) + 60;
  const auth = `Bearer ${await keys.sign(claims({ exp, iat: undefined }))}`;
  const first = await check(p, auth);
  assert.equal(first.allow, true);
  assert.equal(await check(p, auth), first, "a cache hit returns the stored outcome");
  now = exp * 1000 + 1;
  assertDenied(await check(p, auth), "AUTH_TOKEN_INVALID", "token_expired");

  now = Date.now();
  const uncached = policy({ jwksJson: keys.jwksJson, disableCache: true }, { now: () => now });
  const u1 = await check(uncached, auth);
  assert.equal(u1.allow, true);
  assert.notEqual(await check(uncached, auth), u1, "verified again");
});

test("configs refused: none, HMAC without oct key, short oct key, private JWK, private PEM, leeway > 300", () => {
  const bad: MessageInitShape<typeof JwtPolicySchema>[] = [
    { jwksJson: keys.jwksJson, algorithms: ["none"] },
    { jwksJson: keys.jwksJson, algorithms: ["HS256"] },
    {
      jwksJson: JSON.stringify({ keys: [{ kty: "oct", k: base64url.encode(new Uint8Array(16)) }] }),
      algorithms: ["HS256"],
    },
    { jwksJson: JSON.stringify({ keys: [{ ...keys.jwk, d: "x" }] }) },
    { pemKeys: [{ pem: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----" }] },
    { jwksJson: keys.jwksJson, leewayS: 301 },
    { jwksUrl: "https://idp.test/jwks", jwksJson: keys.jwksJson },
    { jwksUrl: "https://user:pw@idp.test/jwks" },
    { jwksJson: keys.jwksJson, keysUnavailableStatus: 500 },
    { jwksJson: keys.jwksJson, tokenCookie: "bad cookie" },
    { jwksJson: keys.jwksJson, tokenQueryParam: "a&b" },
    { jwksJson: keys.jwksJson, claimRules: [{ claim: "role" }] },
  ];
  for (const cfg of bad) assert.throws(() => policy(cfg), { name: "PolicyConfigError" }, JSON.stringify(cfg));
  const small = createPublicKey({
    key: { kty: "RSA", n: base64url.encode(new Uint8Array(128).fill(255)), e: "AQAB" },
    format: "jwk",
  });
  const smallPem = small.export({ type: "spki", format: "pem" }).toString();
  assert.throws(() => policy({ pemKeys: [{ pem: smallPem }], algorithms: ["RS256"] }), /at least 2048 bits/);
});

test("one token, one spelling: a segment with unused trailing bits set or a stray character is refused", async () => {
  const p = standard();
  const token = await keys.sign(claims());
  assert.equal((await check(p, `Bearer ${token}`)).allow, true);
  const [h, pl, sig] = token.split(".") as [string, string, string];
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // An RS256 signature is 256 bytes: 342 characters, the last one with 2 unused bits.
  assert.equal(sig.length % 4, 2);
  const value = alphabet.indexOf(sig.at(-1)!);
  const twins = [0, 1, 2, 3].map((low) => alphabet[(value & ~3) | low]!).filter((c) => c !== sig.at(-1));
  for (const c of twins) {
    const spelt = `${h}.${pl}.${sig.slice(0, -1)}${c}`;
    assert.deepEqual(Buffer.from(spelt.split(".")[2]!, "base64url"), Buffer.from(sig, "base64url"), "same bytes");
    assertDenied(await check(p, `Bearer ${spelt}`), "AUTH_TOKEN_INVALID", "credential_malformed");
  }
  assertDenied(await check(p, `Bearer ${h}.${pl}.${sig}AAA`), "AUTH_TOKEN_INVALID", "credential_malformed");
  // Header and payload segments with a stray sixth-bit character (length 1 mod 4) or set unused bits.
  for (const t of [
    `${h}A.${pl}.${sig}`,
    `${h}.${pl}AAAAA.${sig}`,
    `${h}.${pl.slice(0, -1)}${pl.length % 4 ? "_" : "A"}.${sig}`,
  ])
    assertDenied(await check(p, `Bearer ${t}`), "AUTH_TOKEN_INVALID");
});

test("isCanonicalBase64url: unpadded, no stray character, unused bits zero (RFC 4648 §3.5)", () => {
  for (const ok of ["", "AA", "AAA", "AAAA", "QQ", "QUE", "QUJD", "_w", "-_8"])
    assert.equal(isCanonicalBase64url(ok), true, ok);
  for (const bad of ["A", "AAAAA", "QR", "QUF", "_x", "-_9", "AB", "AAB"])
    assert.equal(isCanonicalBase64url(bad), false, bad);
});

test("a claim that is not a safe header value refuses the token (401 naming the claim), or drops the header by choice", async () => {
  const unsafe = [
    "user\r\nX-Admin: 1",
    "user\n",
    "user\u0000",
    "\tuser",
    "user ",
    "a\u0085b",
    "a\u2028b",
    "a\u007fb",
    "\ud800",
    ["viewer, admin"],
    [" admin"],
  ];
  for (const value of unsafe) {
    const token = await keys.sign(claims({ tenant: value }));
    const o = await check(standard(), `Bearer ${token}`);
    assertDenied(o, "AUTH_IDENTITY_UNSAFE", "identity_unsafe");
    assert.equal(!o.allow && o.field, "tenant", JSON.stringify(value));
    const dropped = await check(standard({ unsafeIdentity: 2 }), `Bearer ${token}`);
    assert.equal(dropped.allow, true);
    assert.equal(dropped.allow && dropped.upstreamHeaders?.["x-tenant"], null, "header removed, never forwarded");
    assert.equal(dropped.allow && dropped.upstreamHeaders?.["x-user-id"], "user-1");
  }
  // The sub claim itself, through a cookie token too (the cached refusal applies whatever the source).
  const bad = await keys.sign(claims({ sub: "victim\r\nX-Role: admin" }));
  const o = await check(standard(), `Bearer ${bad}`);
  assertDenied(o, "AUTH_IDENTITY_UNSAFE");
  assert.equal(!o.allow && o.field, "sub");
  // Safe values pass; non-ASCII goes as its UTF-8 bytes (obs-text), tabs inside are kept.
  for (const [value, wire] of [
    ["José", Buffer.from("José").toString("latin1")],
    ["日本", Buffer.from("日本").toString("latin1")],
    ["a\tb", "a\tb"],
    [["viewer", "editor"], "viewer, editor"],
    [{ a: "x\ny" }, '{"a":"x\\ny"}'],
    [42, "42"],
  ] as const) {
    const ok = await check(standard(), `Bearer ${await keys.sign(claims({ tenant: value }))}`);
    assert.equal(ok.allow && ok.upstreamHeaders?.["x-tenant"], wire, JSON.stringify(value));
  }
});
