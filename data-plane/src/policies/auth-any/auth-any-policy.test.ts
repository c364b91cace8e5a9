import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ApiKeyPolicySchema, ConsumerSchema, JwtPolicySchema } from "@palisade/proto";
import { nowS, policyRequest, rsaKeys } from "../../test/fixtures.js";
import { createApiKeyPolicy } from "../api-key/api-key-policy.js";
import { ConsumerIndex } from "../auth/consumers.js";
import type { Policy } from "../contract.js";
import { createJwtPolicy } from "../jwt/jwt-policy.js";
import { createPolicyResources } from "../registry.js";
import { type AuthOutcome, authOutcome } from "../test-request.js";
import { createAuthAnyPolicy } from "./auth-any-policy.js";

const keys = await rsaKeys("k1");
const consumers = new ConsumerIndex([
  create(ConsumerSchema, {
    id: "c1",
    name: "alice",
    credentials: [
      { id: "1", kind: { case: "apiKey", value: { sha256: createHash("sha256").update("pk_a").digest() } } },
    ],
  }),
]);
const ctx = (id: string) => ({ id, warn: () => {}, consumers });
const jwt = createJwtPolicy(
  create(JwtPolicySchema, { jwksJson: keys.jwksJson, algorithms: ["RS256"], claimsToHeaders: { sub: "X-User" } }),
  ctx("jwt"),
  createPolicyResources().remoteJwks,
);
const apiKey = createApiKeyPolicy(create(ApiKeyPolicySchema, {}), ctx("key"));
const any = createAuthAnyPolicy("any", [jwt, apiKey]);
const token = await keys.sign({ sub: "user-1", exp: nowS() + 60 });
const chk = (req: Parameters<typeof authOutcome>[1]): Promise<AuthOutcome> => Promise.resolve(authOutcome(any, req));

test("either credential passes; the loser's credential and identity headers are stripped", async () => {
  const byJwt = await chk(policyRequest({ authorization: `Bearer ${token}`, "x-api-key": "garbage" }));
  assert.equal(byJwt.allow, true);
  assert.deepEqual(byJwt.allow && byJwt.upstreamHeaders, {
    "x-api-key": null,
    authorization: null,
    "x-user": "user-1",
  });
  assert.equal(byJwt.allow && byJwt.authMethod, "jwt");
  const byKey = await chk(policyRequest({ authorization: "Bearer not-a-jwt", "x-api-key": "pk_a" }));
  assert.equal(byKey.allow, true);
  assert.deepEqual(byKey.allow && byKey.upstreamHeaders, { authorization: null, "x-user": null, "x-api-key": null });
  assert.deepEqual(byKey.allow && byKey.consumer, { id: "c1", name: "alice" });
});

test("nothing presented → 401 AUTH_CREDENTIALS_MISSING with both challenges", async () => {
  const o = await chk(policyRequest({}));
  assert.equal(!o.allow && o.code, "AUTH_CREDENTIALS_MISSING");
  assert.equal(!o.allow && o.responseHeaders?.["www-authenticate"], 'Bearer realm="palisade", ApiKey realm="palisade"');
});

test("a presented but bad credential answers with its own refusal; 400 wins at once", async () => {
  const bad = await chk(policyRequest({ "x-api-key": "pk_unknown" }));
  assert.equal(!bad.allow && bad.code, "AUTH_KEY_INVALID");
  const amb = await chk(policyRequest({ "x-api-key": ["pk_a", "pk_a"] }));
  assert.equal(!amb.allow && amb.code, "AUTH_AMBIGUOUS");
});

test("members must be distinct authentication policies", () => {
  assert.throws(() => createAuthAnyPolicy("x", []), /at least one/);
  assert.throws(() => createAuthAnyPolicy("x", [jwt, jwt]), /twice/);
  const other: Policy = { type: "rate-limit", id: "rl", traits: {}, requestHeaders: () => undefined };
  assert.throws(() => createAuthAnyPolicy("x", [jwt, other]), /not an authentication method/);
});
