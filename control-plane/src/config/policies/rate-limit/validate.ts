import ipaddr from "ipaddr.js";
import { fail } from "../../fail.js";

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;

/**
 * Checks a `rate-limit` config: one limit per period; `redis` exactly when the scope is cluster.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkRateLimit(c: { limits: Array<{ per: string }>; scope?: string; redis?: { host: string } }): void {
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
