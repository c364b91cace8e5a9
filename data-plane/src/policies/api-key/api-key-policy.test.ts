import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ApiKeyPolicySchema, ConsumerSchema } from "@palisade/proto";
import { policyRequest } from "../../test/fixtures.js";
import { ConsumerIndex } from "../auth/consumers.js";
import type { Policy } from "../contract.js";
import { type AuthOutcome, authOutcome, type TestExchange } from "../test-request.js";
import { createApiKeyPolicy } from "./api-key-policy.js";

const sha = (s: string) => createHash("sha256").update(s).digest();
const consumers = new ConsumerIndex([
  create(ConsumerSchema, {
    id: "c1",
    name: "alice",
    credentials: [{ id: "k1", kind: { case: "apiKey", value: { sha256: sha("pk_alice") } } }],
  }),
  create(ConsumerSchema, {
    id: "c2",
    name: "bob",
    disabled: true,
    credentials: [{ id: "k2", kind: { case: "apiKey", value: { sha256: sha("pk_bob") } } }],
  }),
]);
const ctx = { id: "keys", warn: () => {}, consumers };

/** The API-key policy answers synchronously. */
const chk = (p: Policy, r: TestExchange) => authOutcome(p, r) as AuthOutcome;

function denied(o: AuthOutcome, code: string, reason: string) {
  assert.equal(o.allow, false);
  if (o.allow) return;
  assert.equal(o.code, code);
  assert.equal(o.reason, reason);
}

test("default header x-api-key: a known key resolves its consumer and is removed upstream", () => {
  const p = createApiKeyPolicy(create(ApiKeyPolicySchema, {}), ctx);
  const o = chk(p, policyRequest({ "X-Api-Key": "pk_alice" }));
  assert.equal(o.allow, true);
  assert.deepEqual(o.allow && o.consumer, { id: "c1", name: "alice" });
  assert.deepEqual(o.allow && o.upstreamHeaders, { "x-api-key": null });
  assert.equal(o.allow && o.authMethod, "api-key");
});

test("missing, unknown, disabled, twice, in two places", () => {
  const p = createApiKeyPolicy(create(ApiKeyPolicySchema, { header: "X-Key", queryParam: "apikey" }), ctx);
  const missing = chk(p, policyRequest({}));
  denied(missing, "AUTH_KEY_MISSING", "credential_missing");
  assert.equal(!missing.allow && missing.responseHeaders?.["www-authenticate"], 'ApiKey realm="palisade"');
  denied(chk(p, policyRequest({ "x-key": "pk_nobody" })), "AUTH_KEY_INVALID", "key_unknown");
  const bob = chk(p, policyRequest({ "x-key": "pk_bob" }));
  denied(bob, "AUTH_KEY_INVALID", "consumer_disabled");
  assert.equal(!bob.allow && bob.consumer?.id, "c2");
  denied(chk(p, policyRequest({ "x-key": ["pk_alice", "pk_alice"] })), "AUTH_AMBIGUOUS", "credential_ambiguous");
  denied(chk(p, policyRequest({ "x-key": "pk_alice" }, "?apikey=pk_alice")), "AUTH_AMBIGUOUS", "credential_ambiguous");
  const q = chk(p, policyRequest({}, "?a=1&apikey=pk_alice"));
  assert.deepEqual(q.allow && q.stripQuery, ["apikey"]);
});

test("query-only policy; bad names refused", () => {
  const p = createApiKeyPolicy(create(ApiKeyPolicySchema, { queryParam: "key" }), ctx);
  denied(chk(p, policyRequest({ "x-api-key": "pk_alice" })), "AUTH_KEY_MISSING", "credential_missing");
  assert.equal(chk(p, policyRequest({}, "?key=pk_alice")).allow, true);
  assert.throws(() => createApiKeyPolicy(create(ApiKeyPolicySchema, { header: "Authorization" }), ctx));
  assert.throws(() => createApiKeyPolicy(create(ApiKeyPolicySchema, { queryParam: "a=b" }), ctx));
});
