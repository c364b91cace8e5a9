import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "./store/store.js";

/** sha256 hex of a token. Admin tokens are 256-bit random values, so a fast hash is enough (as GitHub does). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Who made an admin API call, as the audit log records it: never the token,
 * only which token. `id` is `env` for the `PALISADE_ADMIN_TOKEN` token or the
 * stored token's row id; `fingerprint` is the first 12 hex digits of the
 * token's sha256 (tells two env tokens apart across a rotation, reveals nothing usable).
 */
export interface AdminIdentity {
  id: string;
  label: string;
  fingerprint: string;
}

interface Candidate {
  hash: Buffer;
  identity: AdminIdentity;
}

/**
 * Admin bearer tokens. The token from `PALISADE_ADMIN_TOKEN` is accepted while
 * the variable is set and is never stored; a generated token is stored only as
 * its hash. Comparison is constant-time over the hashes.
 */
export class AdminTokens {
  readonly #store: Store;
  readonly #env: Candidate | undefined;
  #stored: Candidate[] = [];

  /** Accepts the env token at once; stored tokens count after {@link ensure} loaded them. */
  constructor(store: Store, envToken: string | undefined) {
    this.#store = store;
    if (envToken) {
      const hex = hashToken(envToken);
      this.#env = {
        hash: Buffer.from(hex, "hex"),
        identity: { id: "env", label: "PALISADE_ADMIN_TOKEN", fingerprint: hex.slice(0, 12) },
      };
    }
  }

  async #load(): Promise<Candidate[]> {
    return (await this.#store.adminTokens()).map((t) => ({
      hash: Buffer.from(t.hash, "hex"),
      identity: { id: String(t.id), label: `generated token #${t.id}`, fingerprint: t.hash.slice(0, 12) },
    }));
  }

  /**
   * Loads the stored tokens, and generates and stores one when none can be used yet (no env
   * token, none stored).
   * @returns the new token, to print once; `undefined` when one already exists.
   */
  async ensure(): Promise<string | undefined> {
    this.#stored = await this.#load();
    if (this.#env || this.#stored.length > 0) return undefined;
    const token = `pal_${randomBytes(32).toString("base64url")}`;
    await this.#store.insertAdminTokenHash(hashToken(token));
    this.#stored = await this.#load();
    return token;
  }

  /**
   * Which admin token `token` is (constant time per candidate: every candidate is compared).
   * @returns its identity, or `undefined` when it is no valid admin token.
   */
  identify(token: string): AdminIdentity | undefined {
    const h = Buffer.from(hashToken(token), "hex");
    let found: AdminIdentity | undefined;
    for (const c of this.#env ? [this.#env, ...this.#stored] : this.#stored)
      if (timingSafeEqual(c.hash, h) && !found) found = c.identity;
    return found;
  }

  /** Whether `token` is a valid admin token. */
  verify(token: string): boolean {
    return this.identify(token) !== undefined;
  }
}
