import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { IpRestrictionPolicySchema } from "@palisade/proto";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { PolicyConfigError } from "../factory.js";
import { requestHook, testRequest, verdictCode } from "../test-request.js";
import { createIpRestrictionPolicy } from "./ip-restriction-policy.js";

const ctx = { id: "ip", warn: () => {}, consumers: NO_CONSUMERS };
const policy = (allow: string[], deny: string[] = []) =>
  createIpRestrictionPolicy(create(IpRestrictionPolicySchema, { allow, deny }), ctx);
const check = async (p: ReturnType<typeof policy>, clientAddress: string) =>
  verdictCode(await requestHook(p, testRequest({ clientAddress })));

test("an allow list admits its CIDRs (IPv4 and IPv6) and refuses the rest with 403 IP_FORBIDDEN", async () => {
  const p = policy(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
  for (const a of ["10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.9.9.9"])
    assert.equal(await check(p, a), "CONTINUE", a);
  for (const a of ["11.0.0.1", "192.0.2.8", "2001:db9::1", "::1"]) assert.equal(await check(p, a), "IP_FORBIDDEN", a);
});

test("deny wins over allow; deny alone admits everything else", async () => {
  const p = policy(["10.0.0.0/8"], ["10.6.6.0/24"]);
  assert.equal(await check(p, "10.6.6.6"), "IP_FORBIDDEN");
  assert.equal(await check(p, "10.6.7.6"), "CONTINUE");
  const d = policy([], ["203.0.113.0/24", "::ffff:198.51.100.0/120"]);
  assert.equal(await check(d, "203.0.113.50"), "IP_FORBIDDEN");
  assert.equal(await check(d, "198.51.100.9"), "IP_FORBIDDEN", "an IPv4-mapped CIDR covers the IPv4 range");
  assert.equal(await check(d, "198.51.101.9"), "CONTINUE");
});

test("the policy reads the canonical client address, never a forwarding header", async () => {
  const p = policy(["127.0.0.1"]);
  const v = await requestHook(
    p,
    testRequest({
      clientAddress: "203.0.113.50",
      headers: { "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" },
    }),
  );
  assert.equal(verdictCode(v), "IP_FORBIDDEN");
});

test("bad config names the list and the value", () => {
  assert.throws(
    () => policy(["10.0.0.0/33"]),
    (e: unknown) => e instanceof PolicyConfigError && /allow/.test(e.message),
  );
  assert.throws(
    () => policy([], ["not-an-ip"]),
    (e: unknown) => e instanceof PolicyConfigError && /deny.*not-an-ip/.test(e.message),
  );
  assert.throws(() => policy(["127.1"]), PolicyConfigError, "legacy IPv4 spellings are refused");
  assert.throws(() => policy([]), PolicyConfigError);
});
