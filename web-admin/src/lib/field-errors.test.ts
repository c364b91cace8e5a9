/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldId, placeError, splitList } from "./field-errors.ts";

test("an API error goes beside the deepest rendered field that holds it, else above the form", () => {
  const rendered = ["name", "targets", "targets.0", "targets.0.port", "config", "config.jwks"];
  assert.equal(placeError("targets.0.port", rendered), "targets.0.port");
  assert.equal(placeError("targets.0.weight", rendered), "targets.0");
  assert.equal(placeError("config.jwks.keys.0.d", rendered), "config.jwks");
  assert.equal(placeError("targets", rendered), "targets");
  assert.equal(placeError("namespace", rendered), null, "a prefix of the name is not the field");
  assert.equal(placeError("upstream", rendered), null);
  assert.equal(placeError(undefined, rendered), null);
});

test("field ids are valid DOM ids; lists split on commas and spaces", () => {
  assert.equal(fieldId("targets.0.port"), "f-targets-0-port");
  assert.deepEqual(splitList(" a.example.com, b.example.com  c\n"), ["a.example.com", "b.example.com", "c"]);
  assert.deepEqual(splitList(" , "), []);
});
