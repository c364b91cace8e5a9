import assert from "node:assert/strict";
import { test } from "node:test";
import { placeError } from "./field-errors.ts";
import {
  addExclusion,
  addRuleToExclusion,
  describeExclusion,
  emptyWafConfig,
  parsePercent,
  removeExclusion,
  setWafField,
  wafFields,
} from "./waf-form.ts";

test("a field set and cleared: nested groups appear and disappear, nothing is mutated", () => {
  const start = emptyWafConfig();
  const a = setWafField(start, "crs_setup.max_num_args", 100);
  assert.deepEqual(a, { mode: "block", paranoia_level: 1, crs_setup: { max_num_args: 100 } });
  assert.deepEqual(start, { mode: "block", paranoia_level: 1 });
  const b = setWafField(a, "crs_setup.max_num_args", undefined);
  assert.deepEqual(b, { mode: "block", paranoia_level: 1 }, "an emptied group is left out");
  assert.deepEqual(setWafField(b, "crs_setup.allowed_methods", []), b);
  assert.deepEqual(setWafField(b, "mode", ""), { paranoia_level: 1 });
});

test("exclusion rows: added, edited, a found rule added once, removed", () => {
  let c = addExclusion(emptyWafConfig());
  assert.deepEqual(c.exclusions, [{}]);
  c = setWafField(c, "exclusions.0.target", "ARGS:password");
  c = addRuleToExclusion(c, 0, 942100);
  c = addRuleToExclusion(c, 0, 942100);
  c = addRuleToExclusion(c, -1, 941100);
  assert.deepEqual(c.exclusions, [{ target: "ARGS:password", rule_ids: ["942100"] }, { rule_ids: ["941100"] }]);
  c = setWafField(c, "exclusions.0.target", "");
  assert.deepEqual(c.exclusions![0], { rule_ids: ["942100"] }, "the row stays when a field is cleared");
  c = setWafField(c, "exclusions.1.rule_ids", undefined);
  assert.deepEqual(c.exclusions![1], {}, "an emptied row stays until removed");
  c = removeExclusion(c, 1);
  c = removeExclusion(c, 0);
  assert.equal(c.exclusions, undefined);
});

test("an exclusion reads as a sentence, routes by name", () => {
  const names = new Map([["r-1", "login"]]);
  assert.equal(
    describeExclusion({ rule_ids: ["942*"], target: "ARGS:password", routes: ["r-1"] }, names),
    "942* skip ARGS:password on login",
  );
  assert.equal(describeExclusion({ tags: ["attack-xss"] }), "tag attack-xss removed");
  assert.equal(describeExclusion({}), "(no rule) removed");
});

test("the API's field goes beside the box the form renders", () => {
  const c = { ...emptyWafConfig(), exclusions: [{}, { rule_ids: ["9"] }] };
  const fields = wafFields(c);
  assert.equal(placeError("config.exclusions.1.rule_ids.0", fields), "config.exclusions.1.rule_ids");
  assert.equal(placeError("config.exclusions.1", fields), "config.exclusions.1");
  assert.equal(placeError("config.crs_setup.allowed_methods.0", fields), "config.crs_setup.allowed_methods");
  assert.equal(placeError("config.rule_set", fields), "config.rule_set");
  assert.equal(placeError("config.unknown_thing", fields), null);
});

test("percent boxes: numbers become numbers, the rest is sent as typed", () => {
  assert.equal(parsePercent(" 12.5 "), 12.5);
  assert.equal(parsePercent(""), undefined);
  assert.equal(parsePercent("ten"), "ten");
});
