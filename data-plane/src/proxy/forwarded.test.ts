import assert from "node:assert/strict";
import { test } from "node:test";
import { forwardedElement, viaValue } from "./forwarded.js";

test("Forwarded: IPv6 in brackets and quotes, a host with a port quoted, unknown client (RFC 7239)", () => {
  assert.equal(
    forwardedElement("192.0.2.60", "api.example.com", true),
    "for=192.0.2.60;host=api.example.com;proto=https",
  );
  assert.equal(
    forwardedElement("2001:db8::1", "a.test:8443", false),
    'for="[2001:db8::1]";host="a.test:8443";proto=http',
  );
  assert.equal(forwardedElement(undefined, undefined, false), "for=unknown;proto=http");
  assert.equal(forwardedElement("10.0.0.1", 'x"y', false), 'for=10.0.0.1;host="x\\"y";proto=http');
});

test("Via: this hop is appended with the protocol it received (RFC 9110 §7.6.3)", () => {
  assert.equal(viaValue(undefined, "1.1"), "1.1 palisade");
  assert.equal(viaValue("1.0 fred", "1.1"), "1.0 fred, 1.1 palisade");
  assert.equal(viaValue(["1.0 a", "1.1 b"], "2.0"), "1.0 a, 1.1 b, 2 palisade");
  assert.equal(viaValue("", "1.0"), "1.0 palisade");
});
