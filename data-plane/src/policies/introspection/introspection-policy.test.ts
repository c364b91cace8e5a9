import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { IntrospectionPolicySchema } from "@palisade/proto";
import { nowS, policyRequest } from "../../test/fixtures.js";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { createAuthAgent } from "../auth/http-json.js";
import type { Policy as PolicyInstance } from "../contract.js";
import { authOutcome, type AuthOutcome as PolicyOutcome } from "../test-request.js";
import { createIntrospectionPolicy } from "./introspection-policy.js";

/** Answers by token: `active-*` active, `json-*` broken, anything else inactive. */
const calls: { auth: string | undefined; body: string }[] = [];
let port = 0;
const server = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    calls.push({ auth: req.headers.authorization, body });
    const token = new URLSearchParams(body).get("token") ?? "";
    if (token.startsWith("json")) return void res.end("<html>");
    if (token.startsWith("http500")) return void res.writeHead(500).end("{}");
    if (token.startsWith("unsafe")) {
      res.setHeader("content-type", "application/json");
      return void res.end(JSON.stringify({ active: true, sub: "user-1\r\nX-Admin: 1", exp: nowS() + 60 }));
    }
    const active = token.startsWith("active");
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(
        active
          ? { active: true, sub: "user-1", scope: "read write", exp: nowS() + 60, iss: "https://as.test" }
          : { active: false },
      ),
    );
  });
});
const agent = createAuthAgent();
before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await agent.close();
});

function policy(cfg: MessageInitShape<typeof IntrospectionPolicySchema> = {}): PolicyInstance {
  return createIntrospectionPolicy(
    create(IntrospectionPolicySchema, {
      endpoint: `http://127.0.0.1:${port}/introspect`,
      clientId: "gateway",
      clientSecret: "s3cret:&",
      claimsToHeaders: { sub: "X-User" },
      ...cfg,
    }),
    { id: "intro", warn: () => {}, consumers: NO_CONSUMERS },
    { dispatcher: agent },
  );
}

const check = async (p: PolicyInstance, token: string): Promise<PolicyOutcome> =>
  authOutcome(p, policyRequest({ authorization: `Bearer ${token}` }));

test("active token: allowed, claims forwarded, token stripped; client credentials sent (basic)", async () => {
  calls.length = 0;
  const o = await check(policy({ tokenTypeHint: "access_token" }), "active-1");
  assert.equal(o.allow, true);
  assert.deepEqual(o.allow && o.upstreamHeaders, { authorization: null, "x-user": "user-1" });
  assert.equal(calls[0]!.auth, `Basic ${Buffer.from("gateway:s3cret%3A%26").toString("base64")}`);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(calls[0]!.body)), {
    token: "active-1",
    token_type_hint: "access_token",
  });
});

test("client_secret_post sends the credentials in the body", async () => {
  calls.length = 0;
  await check(policy({ authMethod: "client_secret_post" }), "active-post");
  assert.equal(calls[0]!.auth, undefined);
  assert.equal(new URLSearchParams(calls[0]!.body).get("client_secret"), "s3cret:&");
});

test("inactive → 401 and cached briefly; active cached; concurrent checks share one call", async () => {
  const p = policy();
  calls.length = 0;
  const o = await check(p, "nope");
  assert.equal(!o.allow && o.reason, "token_inactive");
  await check(p, "nope");
  assert.equal(calls.length, 1, "negative answer cached");
  await Promise.all([check(p, "active-2"), check(p, "active-2"), check(p, "active-2")]);
  await check(p, "active-2");
  assert.equal(calls.length, 2, "one call for four checks");
  const uncached = policy({ disableCache: true });
  await check(uncached, "active-3");
  await check(uncached, "active-3");
  assert.equal(calls.length, 4);
});

test("claim rules → 403; endpoint errors fail closed (401, or 503 by choice)", async () => {
  const rule = policy({ claimRules: [{ claim: "scope", match: { case: "contains", value: "admin" } }] });
  const f = await check(rule, "active-4");
  assert.equal(!f.allow && f.code, "AUTH_FORBIDDEN");
  for (const t of ["json-1", "http500-1"]) {
    const o = await check(policy(), t);
    assert.equal(!o.allow && o.code, "AUTH_TOKEN_INVALID");
    assert.equal(!o.allow && o.reason, "introspection_unavailable");
  }
  const down = createIntrospectionPolicy(
    create(IntrospectionPolicySchema, {
      endpoint: "http://127.0.0.1:1/introspect",
      clientId: "g",
      clientSecret: "s",
      unavailableStatus: 503,
    }),
    { id: "down", warn: () => {}, consumers: NO_CONSUMERS },
    { dispatcher: agent },
  );
  const o = await check(down, "active-5");
  assert.equal(!o.allow && o.code, "AUTH_UNAVAILABLE");
});

test("bad configs are refused", () => {
  for (const cfg of [
    { endpoint: "" },
    { endpoint: "ftp://x" },
    { clientSecret: "" },
    { authMethod: "private_key_jwt" },
  ]) {
    assert.throws(() => policy(cfg), { name: "PolicyConfigError" });
  }
});

test("an active answer whose mapped claim is not a safe header value: 401 naming the claim, or the header dropped", async () => {
  const o = await check(policy(), "unsafe-1");
  assert.equal(o.allow, false);
  assert.equal(!o.allow && o.code, "AUTH_IDENTITY_UNSAFE");
  assert.equal(!o.allow && o.field, "sub");
  assert.match((!o.allow && o.responseHeaders?.["www-authenticate"]) || "", /error="invalid_token"/);
  const d = await check(policy({ unsafeIdentity: 2 }), "unsafe-2");
  assert.equal(d.allow, true);
  assert.equal(d.allow && d.upstreamHeaders?.["x-user"], null);
});
