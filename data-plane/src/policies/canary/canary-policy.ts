import type { CanaryPolicy } from "@palisade/proto";
import { hash32 } from "../../upstream/hash.js";
import { cookieValue } from "../../upstream/hash-key.js";
import { cookieHeader } from "../auth/credential-sources.js";
import { CONTINUE, type Policy, type PolicyExchange, type PolicyRequest } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";

/** Basis points in 100 %: weights are in 1/100 of a percent. */
export const WEIGHT_SCALE = 10_000;

/** Header values longer than this never match an override regex (bounds the regex's work). */
const MAX_REGEX_INPUT = 4096;

// RFC 9110 §5.6.2 token (header and cookie names).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** One compiled override: a header or cookie test and the upstream it selects. */
interface Override {
  readonly kind: "header" | "cookie";
  readonly name: string;
  readonly exact: string | null;
  readonly regex: RegExp | null;
  readonly upstream: string;
}

/** What a sticky split hashes. */
type Sticky = { readonly kind: "client_address" } | { readonly kind: "header" | "cookie"; readonly name: string };

/**
 * The point in [0, WEIGHT_SCALE) a request lands on: the sticky key's hash, mixed with the
 * policy's seed so that the canary's buckets do not line up with a ring hash of the same key on
 * the chosen upstream, or a random draw when the split is not sticky or the request has no key.
 */
export function splitPoint(key: string | undefined, seed: number): number {
  if (key === undefined || key === "") return Math.floor(Math.random() * WEIGHT_SCALE);
  let h = (hash32(key) ^ seed) >>> 0;
  // murmur3 finalizer again: the seed must move every bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor(((h >>> 0) / 4_294_967_296) * WEIGHT_SCALE);
}

function overrideMatches(o: Override, req: PolicyRequest): boolean {
  const value = o.kind === "header" ? req.fields.get(o.name) : cookieValue(cookieHeader(req.fields), o.name);
  if (value === undefined) return false;
  if (o.exact !== null) return value === o.exact;
  return value.length <= MAX_REGEX_INPUT && o.regex!.test(value);
}

function stickyKey(s: Sticky, req: PolicyRequest): string | undefined {
  switch (s.kind) {
    case "client_address":
      return req.view.clientAddress;
    case "header":
      return req.fields.get(s.name);
    case "cookie":
      return cookieValue(cookieHeader(req.fields), s.name);
  }
}

/**
 * The `canary` policy (traffic split, route-level: `routeOnly`; the upstreams it may choose are
 * its `routesTo` trait). In `request_filter` it chooses the upstream of the request
 * (`PolicyExchange.routeTo`): the first override that matches (a header equal to a value or matching a
 * regular expression, or a cookie equal to a value) names it, always, whatever the weights;
 * otherwise the request lands on a point in [0, 10,000) — a random draw, or with `sticky` the
 * hash of the client address, a header or a cookie (mixed with the policy id) — and the splits
 * take consecutive ranges of their weight in basis points; the rest of the range is the route's
 * own upstream. A sticky client therefore keeps its upstream while the weights are unchanged, and
 * raising a split's weight only moves clients onto it (ranges grow, none shifts when the last
 * split grows). The chosen upstream's own balancer, health checks, retries and breaker apply
 * (the route's timeout overrides too). Per request: one random draw or one hash, no allocation
 * (the choice is an upstream id). Always lets the request go on.
 * @throws PolicyConfigError when an upstream is missing, a weight is out of range or the sum
 *   is over 100 %, a name is not a token, a regex does not compile, or nothing is configured
 */
export function createCanaryPolicy(cfg: CanaryPolicy, ctx: PolicyContext): Policy {
  const upstreams = new Set<string>();
  const use = (id: string, where: string): string => {
    if (ctx.upstreams?.get(id) === undefined)
      throw new PolicyConfigError(`${where}: upstream "${id}" is not in the snapshot`);
    upstreams.add(id);
    return id;
  };
  if (cfg.splits.length === 0 && cfg.overrides.length === 0)
    throw new PolicyConfigError("splits or overrides are required");
  let total = 0;
  const bounds: number[] = [];
  const splitUpstreams: string[] = [];
  cfg.splits.forEach((s, i) => {
    if (s.weightBp > WEIGHT_SCALE) throw new PolicyConfigError(`splits[${i}]: weight over 100 %`);
    if (upstreams.has(s.upstreamId)) throw new PolicyConfigError(`splits[${i}]: upstream listed twice`);
    splitUpstreams.push(use(s.upstreamId, `splits[${i}]`));
    total += s.weightBp;
    bounds.push(total);
  });
  if (total > WEIGHT_SCALE) throw new PolicyConfigError("splits: the weights add up to more than 100 %");
  const overrides: Override[] = cfg.overrides.map((o, i) => {
    const where = `overrides[${i}]`;
    const upstream = use(o.upstreamId, where);
    const m = o.match;
    if (m.case === "cookie") {
      if (!TOKEN.test(m.value.name)) throw new PolicyConfigError(`${where}: "${m.value.name}" is not a cookie name`);
      return Object.freeze({ kind: "cookie", name: m.value.name, exact: m.value.value, regex: null, upstream });
    }
    if (m.case !== "header") throw new PolicyConfigError(`${where}: neither header nor cookie is set`);
    const name = m.value.name.toLowerCase();
    if (!TOKEN.test(name)) throw new PolicyConfigError(`${where}: "${m.value.name}" is not a header name`);
    const v = m.value.value;
    if (v.case === "exact") return Object.freeze({ kind: "header", name, exact: v.value, regex: null, upstream });
    if (v.case !== "regex") throw new PolicyConfigError(`${where}: neither exact nor regex is set`);
    let regex: RegExp;
    try {
      regex = new RegExp(v.value);
    } catch {
      throw new PolicyConfigError(`${where}: the regex does not compile`);
    }
    return Object.freeze({ kind: "header", name, exact: null, regex, upstream });
  });
  const k = cfg.sticky?.key;
  let sticky: Sticky | null = null;
  if (k?.case === "clientAddress" && k.value) sticky = { kind: "client_address" };
  else if (k?.case === "header" || k?.case === "cookie") {
    if (!TOKEN.test(k.value)) throw new PolicyConfigError(`sticky: "${k.value}" is not a ${k.case} name`);
    sticky = { kind: k.case, name: k.case === "header" ? k.value.toLowerCase() : k.value };
  }
  const seed = hash32(ctx.id);
  const n = bounds.length;
  return Object.freeze({
    type: "canary",
    id: ctx.id,
    traits: Object.freeze({ routeOnly: true, routesTo: Object.freeze([...upstreams]) }),
    requestHeaders(ex: PolicyExchange) {
      for (let i = 0; i < overrides.length; i++) {
        const o = overrides[i]!;
        if (overrideMatches(o, ex)) {
          ex.routeTo(o.upstream);
          return CONTINUE;
        }
      }
      if (n === 0) return CONTINUE;
      const point = splitPoint(sticky === null ? undefined : stickyKey(sticky, ex), seed);
      for (let i = 0; i < n; i++) {
        if (point < bounds[i]!) {
          ex.routeTo(splitUpstreams[i]!);
          return CONTINUE;
        }
      }
      return CONTINUE;
    },
  } satisfies Policy);
}
