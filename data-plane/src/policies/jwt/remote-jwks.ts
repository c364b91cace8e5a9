import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

/** How long one JWKS fetch may take, in ms. */
export const JWKS_FETCH_TIMEOUT_MS = 5_000;
/** Minimum time between two fetches (e.g. on an unknown `kid`), in ms. */
export const JWKS_COOLDOWN_MS = 30_000;
/** Age after which fetched keys are refreshed, in ms. */
export const JWKS_MAX_AGE_MS = 600_000;

const MAX_URLS = 256;

/**
 * Remote JWKS key resolvers (jose `createRemoteJWKSet`), one per URL, kept across config
 * compiles so that a re-publish does not drop fetched keys. Creating a resolver does no I/O:
 * the first verification fetches, with the timeouts above. Bounded to the last 256 URLs.
 */
export class RemoteJwksCache {
  #sets = new Map<string, JWTVerifyGetKey>();

  /** The resolver for `url` (an absolute http(s) URL, already validated). */
  get(url: string): JWTVerifyGetKey {
    let set = this.#sets.get(url);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: JWKS_FETCH_TIMEOUT_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
        cacheMaxAge: JWKS_MAX_AGE_MS,
      });
      if (this.#sets.size >= MAX_URLS) {
        const oldest = this.#sets.keys().next().value;
        if (oldest !== undefined) this.#sets.delete(oldest);
      }
      this.#sets.set(url, set);
    }
    return set;
  }
}
