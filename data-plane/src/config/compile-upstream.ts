import { isIP } from "node:net";
import { LoadBalancing, type Upstream } from "@palisade/proto";
import { parseHostPattern } from "../router/host.js";
import { normalizePath } from "../router/path.js";
import { type Balancer, LeastRequests, SmoothWeightedRoundRobin } from "../upstream/balancer.js";
import { resolveTimeouts } from "../upstream/timeouts.js";
import { CompileError } from "./compile-error.js";
import type { CompiledTarget, CompiledUpstream } from "./runtime-table.js";

/** Weight of a target whose weight is 0 (unset). */
export const DEFAULT_WEIGHT = 100;
const MAX_WEIGHT = 1000;

/**
 * Compiles one upstream: validates its targets and builds their pool descriptors and balancer.
 * No pool is created here (see PoolManager).
 * @throws CompileError RESOURCE_INVALID naming `upstream/<id>`
 */
export function compileUpstream(u: Upstream): CompiledUpstream {
  const resource = `upstream/${u.name || u.id}`;
  const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, resource);
  const scheme = u.scheme === "" ? "http" : u.scheme;
  if (scheme !== "http" && scheme !== "https") throw bad(`scheme: "${u.scheme}" is not http or https`);
  const timeouts = resolveTimeouts(u.timeouts);
  const defaultPort = scheme === "https" ? 443 : 80;
  const targets: CompiledTarget[] = [];
  const seen = new Set<string>();
  for (const [index, t] of u.targets.entries()) {
    const where = `targets[${index}]`;
    const pattern = parseHostPattern(t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host);
    if (t.host === "" || pattern === undefined || pattern.kind !== "exact") {
      throw bad(`${where}.host: "${t.host}" is not a host name or IP address`);
    }
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw bad(`${where}.port: ${t.port} is not 1-65535`);
    const weight = t.weight === 0 ? DEFAULT_WEIGHT : t.weight;
    if (weight > MAX_WEIGHT) throw bad(`${where}.weight: ${t.weight} is not 1-${MAX_WEIGHT}`);
    const host = pattern.host;
    const authority = `${host}:${t.port}`;
    if (seen.has(authority)) throw bad(`${where}: duplicate target ${authority}`);
    seen.add(authority);
    const origin = `${scheme}://${authority}`;
    // The pool is built from this origin at request time: a host that is no valid URL host
    // (999.1.1.1, a:b:c) must be refused now, not answer 500 on every request later.
    try {
      new URL(origin);
    } catch {
      throw bad(`${where}.host: "${t.host}" is not a valid host`);
    }
    if (/^[0-9.]+$/.test(host) && isIP(host) !== 4) throw bad(`${where}.host: "${t.host}" is not a valid IPv4 address`);
    targets.push(
      Object.freeze({
        index,
        host,
        port: t.port,
        weight,
        origin,
        hostHeader: t.port === defaultPort ? host : authority,
        poolKey: `${origin}|${timeouts.connectMs}|${timeouts.headerMs}|${timeouts.bodyMs}`,
        timeouts,
      }),
    );
  }
  let pathPrefix = "";
  if (u.pathPrefix !== "" && u.pathPrefix !== "/") {
    const p = normalizePath(u.pathPrefix);
    if (p === undefined || p !== u.pathPrefix)
      throw bad(
        `path_prefix: "${u.pathPrefix}" must be a canonical path (no dot or empty segment, no escapes to decode)`,
      );
    pathPrefix = p.endsWith("/") ? p.slice(0, -1) : p;
  }
  const weights = targets.map((t) => t.weight);
  const balancer: Balancer =
    u.loadBalancing === LoadBalancing.LEAST_REQUESTS
      ? new LeastRequests(weights)
      : new SmoothWeightedRoundRobin(weights);
  return Object.freeze({
    id: u.id,
    name: u.name,
    resource,
    scheme,
    targets: Object.freeze(targets),
    balancer,
    timeouts,
    pathPrefix,
  });
}
