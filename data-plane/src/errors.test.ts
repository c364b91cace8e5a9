import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_CODES, ERRORS, errorBody } from "./errors.js";
import { readmeText, tableAfter } from "./test/readme.js";

test("the README error table lists the registry, in order, with the same status, blame and message", () => {
  const rows = tableAfter(readmeText(), "## Error codes");
  const fromReadme = rows.map(([code, status, blame, message]) => ({
    code: code?.replaceAll("`", ""),
    status: Number(status),
    blame,
    message,
  }));
  const fromRegistry = ERROR_CODES.map((code) => ({
    code,
    status: ERRORS[code].status,
    blame: ERRORS[code].blame,
    message: ERRORS[code].message,
  }));
  assert.deepEqual(fromReadme, fromRegistry);
});

test("the brief's codes and statuses are in the registry", () => {
  const want: Record<string, number> = {
    ROUTE_NOT_FOUND: 404,
    NO_CONFIG: 503,
    AUTH_TOKEN_MISSING: 401,
    AUTH_TOKEN_INVALID: 401,
    AUTH_AMBIGUOUS: 400,
    BAD_REQUEST: 400,
    UPSTREAM_UNAVAILABLE: 502,
    UPSTREAM_TIMEOUT: 504,
    UPSTREAM_BAD_RESPONSE: 502,
    INTERNAL: 500,
  };
  for (const [code, status] of Object.entries(want)) {
    assert.equal(ERRORS[code as keyof typeof ERRORS]?.status, status, code);
  }
});

test("the error body shape", () => {
  assert.deepEqual(JSON.parse(errorBody("ROUTE_NOT_FOUND", 'id-"1')), {
    error: { code: "ROUTE_NOT_FOUND", message: "no route matches the request", request_id: 'id-"1' },
  });
});
