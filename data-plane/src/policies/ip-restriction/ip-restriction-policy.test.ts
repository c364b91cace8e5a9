import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { IpRestrictionPolicySchema } from "@palisade/proto";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { testRequest } from "../test-request.js";
import { PolicyConfigError, type PolicyOutcome } from "../types.js";
import { createIpRestrictionPolicy } from "./ip-restriction-policy.js";

const ctx = { id: "ip", warn: () => {}, consumers: NO_CONSUMERS };
const policy = (allow: string[], deny: string[] = []) =>
  createIpRestrictionPolicy(create(IpRestrictionPolicySchema, { allow, deny }), ctx);
const check = (p: ReturnType<typeof policy>, clientAddress: string) =>
  p.check(testRequest({ clientAddress })) as PolicyOutcome;

test("an allow list admits its CIDRs (IPv4 and IPv6) and refuses the rest with 403 IP_FORBIDDEN", () => {
  const p = policy(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
  for (const a of ["10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.9.9.9"]) assert.equal(check(p, a).allow, true, a);
  for (const a of ["11.0.0.1", "192.0.2.8", "2001:db9::1", "::1"]) {
    const o = check(p, a);
    assert.equal(o.allow, false, a);
    assert.equal(!o.allow && "code" in o && o.code, "IP_FORBIDDEN");
  }
});

test("deny wins over allow; deny alone admits everything else", () => {
  const p = policy(["10.0.0.0/8"], ["10.6.6.0/24"]);
  assert.equal(check(p, "10.6.6.6").allow, false);
  assert.equal(check(p, "10.6.7.6").allow, true);
  const d = policy([], ["203.0.113.0/24", "::ffff:198.51.100.0/120"]);
  assert.equal(check(d, "203.0.113.50").allow, false);
  assert.equal(check(d, "198.51.100.9").allow, false, "an IPv4-mapped CIDR covers the IPv4 range");
  assert.equal(check(d, "198.51.101.9").allow, true);
});

test("the policy reads the canonical client address, never a forwarding header", () => {
  const p = policy(["127.0.0.1"]);
  const o = p.check(
    testRequest({
      clientAddress: "203.0.113.50",
      headers: { "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" },
    }),
  ) as PolicyOutcome;
  assert.equal(o.allow, false);
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
