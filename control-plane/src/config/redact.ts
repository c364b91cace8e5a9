/** Marker that replaces secret values in API answers. */
export const REDACTED = "[redacted]";

/**
 * Returns a copy of a policy config with secrets replaced by `[redacted]`:
 * the `k` of `oct` JWKs (shared HMAC secrets) and a rate limit's Redis password. Secrets never leave the control
 * plane through the admin API, the logs or the UI; they go to nodes only.
 */
export function redactPolicyConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  if (type === "rate_limit") {
    const redis = config.redis as Record<string, unknown> | undefined;
    if (redis?.password === undefined || redis.password === "") return config;
    return { ...config, redis: { ...redis, password: REDACTED } };
  }
  if (type !== "jwt") return config;
  const jwks = config.jwks as { keys?: Array<Record<string, unknown>> } | undefined;
  if (!jwks?.keys) return config;
  return {
    ...config,
    jwks: { ...jwks, keys: jwks.keys.map((k) => (k.kty === "oct" ? { ...k, k: REDACTED } : k)) },
  };
}
