import ipaddr from "ipaddr.js";
import { ApiError } from "../errors.js";

/**
 * Semantic checks of the traffic-protection policy configs that JSON Schema cannot express. They
 * mirror what a node's compile refuses, so a config that passes here is never NACKed for it.
 * Each throws `ApiError("VALIDATION_FAILED", message, field)` naming the field at fault.
 */

const fail = (message: string, field: string): never => {
  throw new ApiError("VALIDATION_FAILED", message, field);
};

/** True for an IPv4/IPv6 address or CIDR as nodes read it (no legacy IPv4 forms such as `127.1`). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  const addr = slash === -1 ? text : text.slice(0, slash);
  if (!ipaddr.isValid(addr)) return false;
  const v4 = !addr.includes(":");
  if (v4 && !ipaddr.IPv4.isValidFourPartDecimal(addr)) return false;
  if (slash === -1) return true;
  const bits = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > (v4 ? 32 : 128)) return false;
  const parsed = ipaddr.parse(addr);
  // An IPv4-mapped CIDR must stay inside the mapped range.
  if (!v4 && parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && Number(bits) < 96)
    return false;
  return true;
}

function checkIpRestriction(c: { allow?: string[]; deny?: string[] }): void {
  if (!c.allow?.length && !c.deny?.length) fail("give allow, deny or both", "config.allow");
  for (const list of ["allow", "deny"] as const)
    (c[list] ?? []).forEach((v, i) => {
      if (!isCidr(v)) fail(`${JSON.stringify(v)} is not an IPv4/IPv6 address or CIDR`, `config.${list}.${i}`);
    });
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;

function checkRateLimit(c: { limits: Array<{ per: string }>; scope?: string; redis?: { host: string } }): void {
  const seen = new Map<string, number>();
  c.limits.forEach((l, i) => {
    if (seen.has(l.per)) fail(`two limits per ${l.per}`, `config.limits.${i}.per`);
    seen.set(l.per, i);
  });
  if (c.scope === "cluster" && c.redis === undefined)
    fail("the cluster scope counts in Redis: give redis", "config.redis");
  if (c.scope !== "cluster" && c.redis !== undefined) fail("redis is used by the cluster scope only", "config.redis");
  if (c.redis !== undefined && !HOST.test(c.redis.host) && !ipaddr.isValid(c.redis.host))
    fail("not a host name or IP address", "config.redis.host");
}

function checkRequestSize(c: Record<string, number | undefined>): void {
  const any = ["max_body_bytes", "max_header_bytes", "max_headers", "max_url_bytes", "max_query_params"].some(
    (k) => (c[k] ?? 0) > 0,
  );
  if (!any) fail("set at least one limit above 0", "config");
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9*][a-z0-9.-]*)(?::([0-9]{1,5}))?$/;

/** A serialized origin or `scheme://*.domain[:port]` pattern, as nodes accept them. */
export function isOriginOrPattern(text: string): boolean {
  const m = ORIGIN.exec(text.toLowerCase());
  if (m === null) return false;
  const host = m[2]!;
  if (host.includes("*") && !/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return false;
  if (host.includes("..") || host.endsWith(".")) return false;
  return m[3] === undefined || Number(m[3]) <= 65535;
}

function checkCors(c: { allow_origins: string[]; allow_credentials?: boolean }): void {
  c.allow_origins.forEach((o, i) => {
    if (o !== "*" && !isOriginOrPattern(o))
      fail(
        `${JSON.stringify(o)} is not an origin (https://app.example.com), a pattern (https://*.example.com) or *`,
        `config.allow_origins.${i}`,
      );
  });
  if (c.allow_credentials && c.allow_origins.includes("*"))
    fail("credentials cannot be allowed for every origin (*): list the origins", "config.allow_credentials");
}

/** Framing and hop-by-hop fields a headers policy may not touch (RFC 9110 §7.6.1). */
const RESERVED_RESPONSE_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "content-encoding",
]);
const VALUE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;

function checkHeaders(c: {
  set?: Record<string, string>;
  add_if_missing?: Record<string, string>;
  remove?: string[];
}): void {
  const set = new Set<string>();
  for (const map of ["set", "add_if_missing"] as const)
    for (const [name, value] of Object.entries(c[map] ?? {})) {
      if (RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()))
        fail(`${name} frames the message and cannot be edited`, `config.${map}.${name}`);
      if (!VALUE.test(value))
        fail("not valid header text (visible ASCII, no leading/trailing space)", `config.${map}.${name}`);
      set.add(name.toLowerCase());
    }
  (c.remove ?? []).forEach((name, i) => {
    if (RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()))
      fail(`${name} frames the message and cannot be removed`, `config.remove.${i}`);
    if (set.has(name.toLowerCase())) fail(`${name} is also set`, `config.remove.${i}`);
  });
  if (set.size === 0 && !c.remove?.length) fail("give set, add_if_missing or remove", "config");
}

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

function checkCanary(c: CanaryBody): void {
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

/**
 * Checks the config of a traffic-protection policy type (no-op for other types).
 * @throws ApiError VALIDATION_FAILED naming the field
 */
export function checkTrafficPolicyConfig(type: string, config: Record<string, unknown>): void {
  switch (type) {
    case "ip-restriction":
      checkIpRestriction(config as Parameters<typeof checkIpRestriction>[0]);
      return;
    case "rate-limit":
      checkRateLimit(config as Parameters<typeof checkRateLimit>[0]);
      return;
    case "request-size":
      checkRequestSize(config as Parameters<typeof checkRequestSize>[0]);
      return;
    case "cors":
      checkCors(config as Parameters<typeof checkCors>[0]);
      return;
    case "headers":
      checkHeaders(config as Parameters<typeof checkHeaders>[0]);
      return;
    case "canary":
      checkCanary(config as CanaryBody);
      return;
  }
}

/**
 * An upstream's `path_prefix` must be canonical, as nodes join it with forwarded paths: no dot or
 * empty segment, no `;`, and no escape a node would decode or refuse.
 */
export function checkPathPrefix(value: string | undefined): void {
  if (value === undefined || value === "/") return;
  if (/(^|\/)\.\.?(\/|$)/.test(value)) fail("must not contain dot segments", "path_prefix");
  if (value.includes("//")) fail("must not contain empty segments", "path_prefix");
  if (value.includes(";")) fail("must not contain ';'", "path_prefix");
  for (const m of value.matchAll(/%(.{0,2})/g)) {
    const hex = m[1] ?? "";
    if (!/^[0-9A-F]{2}$/.test(hex)) fail("escapes must be two upper-case hex digits", "path_prefix");
    const code = Number.parseInt(hex, 16);
    if (
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(code)) ||
      code < 0x20 ||
      code === 0x7f ||
      "/\\;?#%".includes(String.fromCharCode(code))
    )
      fail(`%${hex} must not be escaped here`, "path_prefix");
  }
}
