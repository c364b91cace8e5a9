import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "./store/store.js";

/** sha256 hex of a token. Admin tokens are 256-bit random values, so a fast hash is enough (as GitHub does). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Admin bearer tokens. The token from `PALISADE_ADMIN_TOKEN` is accepted while
 * the variable is set and is never stored; a generated token is stored only as
 * its hash. Comparison is constant-time over the hashes.
 */
export class AdminTokens {
  readonly #store: Store;
  readonly #envHash: Buffer | undefined;
  #hashes: Buffer[];

  constructor(store: Store, envToken: string | undefined) {
    this.#store = store;
    this.#envHash = envToken ? Buffer.from(hashToken(envToken), "hex") : undefined;
    this.#hashes = store.adminTokenHashes().map((h) => Buffer.from(h, "hex"));
  }

  /**
   * Generates and stores a token when none can be used yet (no env token, none stored).
   * @returns the new token, to print once; `undefined` when one already exists.
   */
  ensure(): string | undefined {
    if (this.#envHash || this.#store.hasAdminTokens()) return undefined;
    const token = `pal_${randomBytes(32).toString("base64url")}`;
    this.#store.insertAdminTokenHash(hashToken(token));
    this.#hashes = this.#store.adminTokenHashes().map((h) => Buffer.from(h, "hex"));
    return token;
  }

  /** Whether `token` is a valid admin token (constant time per candidate). */
  verify(token: string): boolean {
    const h = Buffer.from(hashToken(token), "hex");
    let ok = false;
    for (const c of this.#envHash ? [this.#envHash, ...this.#hashes] : this.#hashes) ok = timingSafeEqual(c, h) || ok;
    return ok;
  }
}
