import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Detection, detection } from "../detect/detection.js";
import { decide, manualDecision } from "./decide.js";
import { DenyList } from "./deny-list.js";
import { Enforcement } from "./enforcement.js";

const bruteForce = (id: string): Detection =>
  detection(
    "brute_force",
    "node",
    "node-a",
    1000,
    { type: "address", id },
    "login",
    41,
    0.2,
    10,
    "failed logins/min",
    `41 failed logins/min from ${id} on route login, baseline 0.2`,
  );

describe("decisions", () => {
  it("in enforce mode denies the client with 403, Retry-After and TTL, carrying the explanation", () => {
    const [d, ...rest] = decide(bruteForce("203.0.113.7"), new Enforcement({ mode: "enforce" }), 1000);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      {
        action: d!.action,
        status: d!.status,
        retryAfterS: d!.retryAfterS,
        expiresAtMs: d!.expiresAtMs,
        enforced: d!.enforced,
        target: d!.target,
      },
      {
        action: "deny",
        status: 403,
        retryAfterS: 900,
        expiresAtMs: 901_000,
        enforced: true,
        target: { type: "address", id: "203.0.113.7" },
      },
    );
    assert.match(d!.explanation, /41 failed logins\/min from 203\.0\.113\.7/);
  });

  it("in detect mode decides the same but marks it not enforced, and the deny list ignores it", () => {
    const [d] = decide(bruteForce("203.0.113.7"), new Enforcement(), 1000);
    assert.equal(d!.enforced, false);
    const list = new DenyList();
    assert.equal(list.add(d!), false);
    assert.equal(list.lookup(2000, "203.0.113.7"), undefined);
  });

  it("never decides against an allow-listed address or consumer", () => {
    const e = new Enforcement({
      mode: "enforce",
      allow: { cidrs: ["203.0.113.0/24", "2001:db8::/32"], consumers: ["partner"] },
    });
    assert.deepEqual(decide(bruteForce("203.0.113.7"), e, 0), []);
    assert.deepEqual(decide(bruteForce("::ffff:203.0.113.8"), e, 0), []);
    assert.deepEqual(decide(bruteForce("2001:db8::1"), e, 0), []);
    assert.equal(decide(bruteForce("198.51.100.1"), e, 0).length, 1);
    const churn = detection(
      "fingerprint_churn",
      "fleet",
      "fleet",
      0,
      { type: "consumer", id: "partner" },
      "orders",
      40,
      2,
      10,
      "addresses",
      "x",
    );
    assert.deepEqual(decide(churn, e, 0), []);
  });

  it("turns a route-level credential stuffing into decisions on its contributors", () => {
    const d = detection(
      "credential_stuffing",
      "fleet",
      "fleet",
      0,
      { type: "route", id: "login" },
      "login",
      1200,
      9,
      40,
      "failed logins/min",
      "1,200 failed logins/min on route login from about 200 clients, baseline 9",
      [
        { subject: { type: "address", id: "198.18.0.1" }, count: 7 },
        { subject: { type: "address", id: "198.18.0.2" }, count: 1 },
      ],
    );
    const out = decide(d, new Enforcement({ mode: "enforce" }), 0);
    assert.deepEqual(
      out.map((x) => x.target.id),
      ["198.18.0.1"],
    );
    assert.match(out[0]!.explanation, /^198\.18\.0\.1 took part: 1,200 failed logins\/min on route login/);
  });

  it("refuses a bad enforcement config naming the field", () => {
    assert.throws(() => new Enforcement({ mode: "block" as never }), { code: "ENFORCEMENT_INVALID", field: "mode" });
    assert.throws(() => new Enforcement({ actions: { brute_force: { action: "deny", ttlS: 0 } } }), {
      field: "actions.brute_force.ttlS",
    });
    assert.throws(() => new Enforcement({ actions: { volumetric: { action: "throttle", ttlS: 60 } } }), {
      field: "actions.volumetric.ratePerS",
    });
    assert.throws(() => new Enforcement({ allow: { cidrs: ["10.0.0.0/33"] } }), { field: "allow.cidrs[0]" });
  });
});

describe("deny list", () => {
  it("answers deny before throttle, expires by TTL, and unblocks on request", () => {
    const list = new DenyList();
    list.add(manualDecision({ type: "consumer", id: "alice" }, "throttle", 60, 0, "operator"));
    list.add(manualDecision({ type: "address", id: "192.0.2.1" }, "deny", 10, 0, "operator"));
    assert.equal(list.lookup(5000, "192.0.2.1", "alice")!.status, 403);
    assert.equal(DenyList.retryAfter(list.lookup(5000, "192.0.2.1")!, 5000), 5);
    assert.equal(list.lookup(11_000, "192.0.2.1", "alice")!.status, 429);
    assert.equal(list.remove({ type: "consumer", id: "alice" }), true);
    assert.equal(list.lookup(11_000, "192.0.2.1", "alice"), undefined);
    assert.deepEqual(list.list(11_000), []);
  });

  it("stays within its bound, dropping the decision closest to expiry", () => {
    const list = new DenyList(2);
    list.add(manualDecision({ type: "address", id: "a" }, "deny", 30, 0, ""));
    list.add(manualDecision({ type: "address", id: "b" }, "deny", 10, 0, ""));
    list.add(manualDecision({ type: "address", id: "c" }, "deny", 20, 0, ""));
    assert.deepEqual(
      list.list(0).map((d) => d.target.id),
      ["c", "a"],
    );
  });
});
