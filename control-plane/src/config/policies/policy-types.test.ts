import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { PolicySchema } from "@palisade/proto";
import { TestCa } from "@palisade/test-support";
import { checkBodySchema } from "../../api/validation-errors.js";
import { DomainError } from "../../errors.js";
import { checkPolicyConfig, POLICY_TYPES, policySchema, toPolicy } from "./policy-types.js";

const ca = new TestCa();

/** One valid config of every policy type, and the `Policy.config` case it maps onto. */
const EXAMPLES: Record<keyof typeof POLICY_TYPES, { config: Record<string, unknown>; case: string }> = {
  jwt: {
    config: { algorithms: ["HS256"], jwks: { keys: [{ kty: "oct", k: randomBytes(32).toString("base64url") }] } },
    case: "jwt",
  },
  "api-key": { config: { header: "x-api-key" }, case: "apiKey" },
  mtls: { config: { ca_pem: ca.certPem }, case: "mtls" },
  introspection: {
    config: { endpoint: "https://idp.example/introspect", client_id: "gw", client_secret: "s3cret" },
    case: "introspection",
  },
  "auth-any": { config: { policies: ["p1", "p2"] }, case: "authAny" },
  "ip-restriction": { config: { allow: ["10.0.0.0/8"] }, case: "ipRestriction" },
  "rate-limit": { config: { limits: [{ requests: 10, per: "second" }] }, case: "rateLimit" },
  "request-size": { config: { max_body_bytes: 1024 }, case: "requestSize" },
  cors: { config: { allow_origins: ["https://app.example.com"] }, case: "cors" },
  headers: { config: { set: { "x-frame-options": "DENY" } }, case: "headers" },
  canary: { config: { splits: [{ upstream: "u2", weight: 12.5 }] }, case: "canary" },
  mirror: { config: { upstream: "u2", fraction: 0.1 }, case: "mirror" },
  waf: { config: { mode: "detect" }, case: "waf" },
};

test("every case of the proto Policy.config oneof has exactly one policy type folder", () => {
  const cases = PolicySchema.oneofs.find((o) => o.name === "config")!.fields.map((f) => f.localName);
  const mapped = Object.values(EXAMPLES).map((e) => e.case);
  assert.deepEqual([...mapped].sort(), [...cases].sort());
  assert.deepEqual(Object.keys(EXAMPLES).sort(), Object.keys(POLICY_TYPES).sort());
});

for (const [type, example] of Object.entries(EXAMPLES)) {
  test(`${type}: a valid config passes the body schema and the checks, and maps onto Policy.${example.case}`, () => {
    checkBodySchema(policySchema, { name: "p", type, config: example.config });
    checkPolicyConfig(type, example.config);
    const policy = toPolicy({
      id: "p1",
      name: "p",
      body: { type, config: example.config },
      created_at: "",
      updated_at: "",
    });
    assert.equal(policy.config.case, example.case);
    assert.equal(policy.id, "p1");
  });
}

test("a config field of another type is refused by the body schema, naming the field", () => {
  assert.throws(
    () => checkBodySchema(policySchema, { name: "p", type: "cors", config: { allow_origins: ["*"], limits: [] } }),
    (err: unknown) => err instanceof DomainError && err.code === "VALIDATION_FAILED",
  );
});

test("the semantic checks name the field at fault", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["ip-restriction", { allow: ["10.0.0.300"] }, "config.allow.0"],
    ["rate-limit", { limits: [{ requests: 1, per: "second" }], scope: "cluster" }, "config.redis"],
    ["cors", { allow_origins: ["*"], allow_credentials: true }, "config.allow_credentials"],
    ["headers", { set: { "content-length": "1" } }, "config.set.content-length"],
    [
      "canary",
      {
        splits: [
          { upstream: "u", weight: 60 },
          { upstream: "v", weight: 50 },
        ],
      },
      "config.splits",
    ],
    ["api-key", { header: "authorization" }, "config.header"],
  ];
  for (const [type, config, field] of cases)
    assert.throws(
      () => checkPolicyConfig(type, config),
      (err: unknown) => err instanceof DomainError && err.code === "VALIDATION_FAILED" && err.field === field,
      type,
    );
});

test("a stored policy of a type this build does not know is refused at publish, naming it", () => {
  assert.throws(
    () => toPolicy({ id: "x", name: "old", body: { type: "soap", config: {} }, created_at: "", updated_at: "" }),
    (err: unknown) => err instanceof DomainError && err.field === "policies.old.type",
  );
});
