import assert from "node:assert/strict";
import { test } from "node:test";
import { WafRedaction } from "./waf-redaction.js";

test("Authorization, cookies and configured fields (names and patterns) are secret variables", () => {
  const r = new WafRedaction(["ARGS:card_number", "REQUEST_HEADERS:X-Partner-Key", "ARGS:/^pin_/"]);
  for (const v of [
    "REQUEST_HEADERS:Authorization",
    "REQUEST_HEADERS:authorization",
    "REQUEST_COOKIES:session",
    "REQUEST_COOKIES:theme",
    "ARGS:card_number",
    "ARGS:password",
    "REQUEST_HEADERS:x-partner-key",
    "ARGS:PIN_code",
    "ARGS_POST:pin_2",
  ])
    assert.ok(r.isSecret(v), v);
  for (const v of ["ARGS:q", "REQUEST_HEADERS:User-Agent", "ARGS_NAMES:password", "REQUEST_URI", "ARGS:spin_x"])
    assert.ok(!r.isSecret(v), v);
});

test("logdata quoting a secret variable is replaced whole; other logdata has credential shapes removed", () => {
  const r = new WafRedaction([]);
  assert.equal(
    r.logdata("Matched Data: ' or 1=1 found within ARGS:password: x' or 1=1", ["ARGS:password"]),
    "[REDACTED]",
  );
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
  const out = r.logdata(`Matched Data: union found within ARGS:q: ${jwt} union select`, ["ARGS:q"]);
  assert.ok(!out.includes(jwt), out);
  assert.match(out, /union select/);
});
