import { fail } from "../../fail.js";

/**
 * A quantified group that itself holds a quantifier (`(a+)+`, `(x*y)*`, `(a|b+){2,}`): the shape
 * of catastrophic backtracking (OWASP "ReDoS"). Header values come from clients, so an override
 * regex with this shape is refused rather than left to run on the request path.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[*+]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)(?:[*+]|\{\d+,\d*\})/;

interface CanaryBody {
  splits?: Array<{ upstream: string; weight: number }>;
  overrides?: Array<{ header?: string; cookie?: string; value?: string; regex?: string; upstream: string }>;
}

/**
 * Checks a `canary` config: splits and/or overrides, weights with two decimals adding up to at most
 * 100 %, each override one header or cookie, regexes that compile and cannot backtrack badly.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkCanary(c: CanaryBody): void {
  const splits = c.splits ?? [];
  const overrides = c.overrides ?? [];
  if (splits.length === 0 && overrides.length === 0) fail("give splits, overrides or both", "config.splits");
  let total = 0;
  splits.forEach((s, i) => {
    const bp = s.weight * 100;
    if (Math.abs(bp - Math.round(bp)) > 1e-6)
      fail("a weight is a percent with at most two decimals", `config.splits.${i}.weight`);
    total += Math.round(bp);
  });
  if (total > 10_000) fail(`the weights add up to ${total / 100} %, more than 100 %`, "config.splits");
  overrides.forEach((o, i) => {
    const at = `config.overrides.${i}`;
    if ((o.header === undefined) === (o.cookie === undefined)) fail("give header or cookie (one of them)", at);
    if (o.cookie !== undefined) {
      if (o.regex !== undefined) fail("cookies match by value only", `${at}.regex`);
      if (o.value === undefined) fail("give the cookie's value", `${at}.value`);
      return;
    }
    if ((o.value === undefined) === (o.regex === undefined)) fail("give value or regex (one of them)", `${at}.value`);
    if (o.regex === undefined) return;
    try {
      new RegExp(o.regex);
    } catch {
      fail("not a valid regular expression", `${at}.regex`);
    }
    if (NESTED_QUANTIFIER.test(o.regex))
      fail("a quantified group holds a quantifier (catastrophic backtracking): simplify it", `${at}.regex`);
  });
}
