import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { pino } from "pino";
import { AdminTokens } from "../admin-token.js";
import { Store } from "../store/store.js";
import { TEST_ADMIN_TOKEN, testAdminApi } from "../test/admin-app.js";
import { OidcLogin } from "./oidc.js";

/**
 * A small but real OIDC issuer on 127.0.0.1: discovery, a JWKS, an authorization endpoint that
 * signs in `next` (a user with claims) at once and redirects with a code, and a token endpoint
 * that checks the code, the redirect URI, the client and the PKCE verifier (RFC 7636 §4.6) before
 * it signs an ID token with the nonce of the authorization request.
 */
class TestIssuer {
  issuer = "";
  next: Record<string, unknown> = { sub: "alice", email: "alice@example.com", groups: ["sre"] };
  /** Set to make the token endpoint put another nonce in the ID token. */
  wrongNonce = false;
  readonly #codes = new Map<
    string,
    { challenge: string; nonce: string; redirect: string; claims: Record<string, unknown> }
  >();
  #server: Server | undefined;
  #key!: Awaited<ReturnType<typeof generateKeyPair>>;
  #jwk: Record<string, unknown> = {};

  async start(): Promise<void> {
    this.#key = await generateKeyPair("RS256");
    this.#jwk = { ...(await exportJWK(this.#key.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", this.issuer);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === "/.well-known/openid-configuration")
        return json(200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/jwks`,
        });
      if (url.pathname === "/jwks") return json(200, { keys: [this.#jwk] });
      if (url.pathname === "/authorize") {
        const q = url.searchParams;
        if (
          q.get("response_type") !== "code" ||
          q.get("code_challenge_method") !== "S256" ||
          q.get("client_id") !== "palisade"
        )
          return json(400, { error: "invalid_request" });
        const code = randomBytes(16).toString("hex");
        this.#codes.set(code, {
          challenge: q.get("code_challenge")!,
          nonce: q.get("nonce")!,
          redirect: q.get("redirect_uri")!,
          claims: this.next,
        });
        res.writeHead(302, { location: `${q.get("redirect_uri")}?code=${code}&state=${q.get("state")}` });
        return res.end();
      }
      if (url.pathname === "/token" && req.method === "POST") {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", async () => {
          const f = new URLSearchParams(body);
          const c = this.#codes.get(f.get("code") ?? "");
          this.#codes.delete(f.get("code") ?? "");
          const verifier = f.get("code_verifier") ?? "";
          if (!c || f.get("redirect_uri") !== c.redirect || f.get("client_id") !== "palisade")
            return json(400, { error: "invalid_grant" });
          if (createHash("sha256").update(verifier).digest("base64url") !== c.challenge)
            return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
          const idToken = await new SignJWT({ ...c.claims, nonce: this.wrongNonce ? "other" : c.nonce })
            .setProtectedHeader({ alg: "RS256", kid: "k1" })
            .setIssuer(this.issuer)
            .setAudience("palisade")
            .setIssuedAt()
            .setExpirationTime("5m")
            .sign(this.#key.privateKey);
          json(200, { id_token: idToken, access_token: "at", token_type: "Bearer" });
        });
        return;
      }
      json(404, { error: "not_found" });
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    this.issuer = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

const idp = new TestIssuer();
before(() => idp.start());
after(() => idp.stop());

/** The admin API with OIDC against the test issuer. */
async function app(roleMap: Record<string, string> = { sre: "operator", auditors: "viewer" }) {
  const store = await Store.open(":memory:");
  const tokens = new AdminTokens(store, TEST_ADMIN_TOKEN);
  const oidc = new OidcLogin(
    {
      issuer: idp.issuer,
      clientId: "palisade",
      roleClaim: "groups",
      roleMap,
      sessionTtlS: 3600,
      redirectUrl: "http://cp.test/v1/auth/oidc/callback",
    },
    tokens,
    pino({ level: "silent" }),
  );
  return testAdminApi({ store, tokens, oidc });
}

/** Follows the sign-in as a browser would: CP → issuer → CP callback; returns where it lands. */
async function signIn(t: Awaited<ReturnType<typeof app>>): Promise<string> {
  const login = await t.api.inject({ method: "GET", url: "/v1/auth/oidc/login" });
  assert.equal(login.statusCode, 302);
  const authorize = await fetch(String(login.headers.location), { redirect: "manual" });
  assert.equal(authorize.status, 302, await authorize.text());
  const back = new URL(authorize.headers.get("location")!);
  assert.equal(back.origin + back.pathname, "http://cp.test/v1/auth/oidc/callback");
  const cb = await t.api.inject({ method: "GET", url: `/v1/auth/oidc/callback${back.search}` });
  assert.equal(cb.statusCode, 302);
  return String(cb.headers.location);
}

test("OIDC sign-in: code + PKCE against a real issuer, the claim mapped to a role, a session token of that role", async () => {
  const t = await app();
  assert.deepEqual((await t.call("GET", "/v1/auth/oidc", undefined, { token: "" })).body, {
    enabled: true,
    issuer: idp.issuer,
  });
  const landed = await signIn(t);
  const handoff = /^\/#oidc=([A-Za-z0-9_-]{43})$/.exec(landed)?.[1];
  assert.ok(handoff, landed);
  const session = await t.call("POST", "/v1/auth/oidc/session", { code: handoff }, { token: "" });
  assert.equal(session.status, 200);
  assert.equal(session.headers["cache-control"], "no-store");
  assert.equal(session.body.role, "operator");
  const token = session.body.token as string;
  const self = await t.call("GET", "/v1/tokens/self", undefined, { token });
  assert.deepEqual([self.body.role, self.body.name, self.body.source], ["operator", "oidc:alice@example.com", "oidc"]);
  assert.ok(Date.parse(self.body.expires_at) - Date.now() <= 3600_000);
  // The role decides: an operator writes routes, cannot mint tokens; changes are audited as this session.
  await t.call("POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: 9 }] }, { token });
  assert.equal((await t.call("POST", "/v1/tokens", { name: "x", role: "viewer" }, { token })).status, 403);
  const entry = (await t.call("GET", "/v1/audit?kind=upstreams")).body.items[0];
  assert.deepEqual([entry.actor.label, entry.actor.role], ["oidc:alice@example.com", "operator"]);
  // The handoff code is single-use.
  assert.equal((await t.call("POST", "/v1/auth/oidc/session", { code: handoff }, { token: "" })).status, 400);
});

test("OIDC refusals: no mapped role, a replayed state, a wrong nonce; none mints a token", async () => {
  const t = await app();
  idp.next = { sub: "bob", groups: ["marketing"] };
  assert.match(decodeURIComponent(await signIn(t)), /^\/#oidc_error=no role for this account \(claim groups\)/);

  idp.next = { sub: "carol", groups: ["auditors"] };
  idp.wrongNonce = true;
  assert.match(decodeURIComponent(await signIn(t)), /oidc_error=the ID token's nonce is not this sign-in's/);
  idp.wrongNonce = false;

  const login = await t.api.inject({ method: "GET", url: "/v1/auth/oidc/login" });
  const back = new URL((await fetch(String(login.headers.location), { redirect: "manual" })).headers.get("location")!);
  const first = await t.api.inject({ method: "GET", url: `/v1/auth/oidc/callback${back.search}` });
  assert.match(String(first.headers.location), /^\/#oidc=/);
  const replay = await t.api.inject({ method: "GET", url: `/v1/auth/oidc/callback${back.search}` });
  assert.match(decodeURIComponent(String(replay.headers.location)), /oidc_error=this sign-in is unknown or expired/);
  const tokens = (await t.call("GET", "/v1/tokens?source=oidc")).body.items;
  assert.deepEqual(
    tokens.map((x: { name: string; role: string }) => [x.name, x.role]),
    [["oidc:carol", "viewer"]],
  );
});

test("without OIDC configured the sign-in says so and its endpoints are 404", async () => {
  const t = await testAdminApi();
  assert.deepEqual((await t.call("GET", "/v1/auth/oidc", undefined, { token: "" })).body, { enabled: false });
  assert.equal((await t.call("GET", "/v1/auth/oidc/login", undefined, { token: "" })).status, 404);
});
