import assert from "node:assert/strict";
import { after, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { AuthAnyPolicySchema, MtlsPolicySchema, PolicySchema } from "@palisade/proto";
import { ClientCa } from "@palisade/test-support";
import { BUNDLED_POLICY_TYPES } from "../policies/registry.js";
import { jwtPolicy, route, rsaKeys, snapshot, upstream } from "../test/fixtures.js";
import { compile } from "./compile.js";

const ca = new ClientCa();
const other = new ClientCa("other");
after(() => {
  ca.dispose();
  other.dispose();
});
const keys = await rsaKeys();
const mtls = (id: string, caPem: string) =>
  create(PolicySchema, { id, name: id, config: { case: "mtls", value: create(MtlsPolicySchema, { caPem }) } });

test("names with an mTLS route require it on every route; auth-any members do not; wildcards match", () => {
  const table = compile(
    snapshot({
      upstreams: [upstream("u", ["127.0.0.1:1"])],
      policies: [
        mtls("m1", ca.certPem),
        mtls("m2", other.certPem),
        jwtPolicy("j", { jwksJson: keys.jwksJson }),
        create(PolicySchema, {
          id: "any",
          name: "any",
          config: { case: "authAny", value: create(AuthAnyPolicySchema, { policyIds: ["m1", "j"] }) },
        }),
      ],
      routes: [
        route("secure", "u", ["/"], { hosts: ["mtls.example.test"], policyIds: ["m1"] }),
        route("both", "u", ["/x"], { hosts: ["two.example.test"], policyIds: ["m1"] }),
        route("both2", "u", ["/y"], { hosts: ["two.example.test"], policyIds: ["m2"] }),
        route("wild", "u", ["/"], { hosts: ["*.internal.test"], policyIds: ["m2"] }),
        route("optional", "u", ["/"], { hosts: ["opt.example.test"], policyIds: ["any"] }),
        route("api", "u", ["/api"]),
      ],
    }),
    { policyTypes: new Set(BUNDLED_POLICY_TYPES) },
  );
  const hp = table.hostPolicies;
  assert.equal(hp.lookup("mtls.example.test")?.policy, table.policies.get("m1"));
  assert.equal(hp.lookup("a.b.internal.test")?.policy, table.policies.get("m2"));
  const two = hp.lookup("two.example.test");
  assert.equal(two?.policy.type, "auth-any", "two different mTLS policies on one name: either will do");
  assert.equal(two?.members.size, 2);
  assert.equal(hp.lookup("opt.example.test"), undefined, "an optional certificate does not make an mTLS name");
  assert.equal(hp.lookup("public.example.test"), undefined);
  assert.deepEqual([...hp.names().keys()].sort(), ["*.internal.test", "mtls.example.test", "two.example.test"]);
  assert.equal(hp.names().get("mtls.example.test")?.[0]?.caPem, ca.certPem);
  // What a wildcard certificate's names share (the HTTPS listener asks for a certificate on them).
  assert.equal(hp.lookupUnder("internal.test")?.policy, table.policies.get("m2"), "*.internal.test certificate");
  assert.equal(hp.lookupUnder("b.internal.test")?.policy, table.policies.get("m2"), "*.b.internal.test certificate");
  assert.equal(hp.lookupUnder("example.test"), undefined, "*.example.test names are not all mTLS names");
  assert.deepEqual([...hp.exactNames()].sort(), ["mtls.example.test", "two.example.test"]);
});
