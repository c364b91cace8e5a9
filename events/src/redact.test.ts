import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { toEcs } from "./ecs.js";
import { ecsJson } from "./ecs-json.js";
import type { PalisadeEvent } from "./event.js";
import { exampleConfig, examplePolicyDenials, exampleWaf } from "./examples.js";
import { REDACTED, Redactor } from "./redact.js";
import { formatSyslog } from "./syslog.js";

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** Credentials made the way this suite's requests carry them: a signed JWT, an API key, a session, basic auth, a password. */
function testTokens() {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ sub: "user-1", exp: 4102444800 }));
  const sig = createHmac("sha256", randomBytes(32)).update(`${header}.${payload}`).digest("base64url");
  return {
    jwt: `${header}.${payload}.${sig}`,
    apiKey: `pk_test_${randomBytes(18).toString("hex")}`,
    session: randomBytes(24).toString("base64url"),
    basic: Buffer.from(`alice:${randomBytes(8).toString("hex")}`).toString("base64"),
    password: `pw-${randomBytes(10).toString("hex")}`,
    configured: `cfg-${randomBytes(10).toString("hex")}`,
  };
}

/** Events that carry every token wherever a producer could put request data. */
function leakyEvents(t: ReturnType<typeof testTokens>): PalisadeEvent[] {
  const denial = examplePolicyDenials()[0]!;
  const waf = exampleWaf("deny");
  return [
    {
      ...denial,
      request: {
        ...denial.request!,
        path: `/reset/${t.jwt}`,
        query: `access_token=${t.jwt}&apikey=${t.apiKey}&user%5Bpassword%5D=${t.password}&x-tenant-secret=${t.configured}&page=2`,
      },
    },
    {
      ...waf,
      rules: [
        { ...waf.rules[0]!, matchedVars: ["REQUEST_HEADERS:Authorization"], logdata: `Matched Data: Bearer ${t.jwt}` },
        {
          ...waf.rules[0]!,
          matchedVars: ["REQUEST_COOKIES:session"],
          logdata: `found within REQUEST_COOKIES:session: ${t.session}`,
        },
        { ...waf.rules[0]!, matchedVars: ["REQUEST_HEADERS:X-Api-Key"], logdata: t.apiKey },
        { ...waf.rules[0]!, matchedVars: ["ARGS:json.user.password"], logdata: t.password },
        { ...waf.rules[0]!, matchedVars: ["ARGS:tenant_hint"], logdata: `ARGS:tenant_hint: ${t.configured}` },
        {
          ...waf.rules[0]!,
          msg: `Authorization: Basic ${t.basic}`,
          matchedVars: ["REQUEST_LINE"],
          logdata: `GET /login?password=${t.password}&token=${t.jwt} HTTP/1.1`,
        },
      ],
      request: { ...waf.request!, query: `q=union+select&api_key=${t.apiKey}` },
    },
    { ...exampleConfig("rejected"), detail: `upstream auth "client_secret": "${t.configured}" password=${t.password}` },
  ];
}

describe("Redactor", () => {
  it("no token from the test suite's requests appears in any ECS JSON or syslog output", () => {
    const t = testTokens();
    const red = new Redactor({ secretFields: ["tenant_hint"] });
    const outputs = leakyEvents(t).flatMap((e) => {
      const doc = toEcs(e, { node: "node-1", region: "r", version: "0" }, red);
      return [
        ecsJson(doc),
        formatSyslog(doc, { hostname: "node-1" }),
        formatSyslog(doc, { hostname: "n", maxBytes: 600 }),
      ];
    });
    for (const out of outputs) {
      for (const [name, token] of Object.entries(t))
        assert.ok(!out.includes(token), `${name} leaked: ${out.slice(0, 200)}`);
    }
    // The full-size outputs show where a secret was (the 600-byte ones may have cut those fields).
    for (const out of outputs.filter((_, i) => i % 3 !== 2)) assert.ok(out.includes(REDACTED));
  });

  it("keeps what is not secret: parameter names and order, other values, attack payloads", () => {
    const red = new Redactor();
    assert.equal(
      red.query("q=1%27+or+1%3D1&password=x&page=2&Api-Key=y"),
      `q=1%27+or+1%3D1&password=${REDACTED}&page=2&Api-Key=${REDACTED}`,
    );
    assert.equal(
      red.wafLogdata("Matched Data: union select found within ARGS:q", ["ARGS:q"]),
      "Matched Data: union select found within ARGS:q",
    );
    assert.equal(red.text("Authorization: Bearer abc.def"), `Authorization: Bearer ${REDACTED}`);
  });

  it("knows which WAF variables hold secret values", () => {
    const red = new Redactor({ secretHeaders: ["X-Tenant-Key"] });
    for (const v of [
      "REQUEST_HEADERS:authorization",
      "REQUEST_HEADERS:Cookie",
      "REQUEST_COOKIES:anything",
      "ARGS:new_password",
      "ARGS_POST:user[token]",
      "REQUEST_HEADERS:x-tenant-key",
      "ARGS:json.client.secret",
      // Credential headers no list names (GitLab, Vault, custom): the name says what they hold.
      "REQUEST_HEADERS:Private-Token",
      "REQUEST_HEADERS:X-Vault-Token",
      "REQUEST_HEADERS:X-Session-Token",
      "REQUEST_HEADERS:X-Client-Secret",
    ]) {
      assert.ok(red.isSecretVariable(v), v);
    }
    for (const v of [
      "REQUEST_HEADERS:User-Agent",
      "ARGS:q",
      "ARGS_NAMES:password",
      "REQUEST_COOKIES_NAMES:session",
      "REQUEST_FILENAME",
      "REQUEST_HEADERS:Content-Type",
      "REQUEST_HEADERS:Upgrade-Insecure-Requests",
    ]) {
      assert.ok(!red.isSecretVariable(v), v);
    }
    // CRS 932170 (shellshock) on a GitLab token header: the logdata quotes the whole value.
    const logdata = "Matched Data: () { found within REQUEST_HEADERS:Private-Token: () { :; }; glpat-s3cr3t";
    assert.equal(red.wafLogdata(logdata, ["REQUEST_HEADERS:Private-Token"]), REDACTED);
  });
});
