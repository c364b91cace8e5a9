import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { threadId } from "node:worker_threads";

/**
 * Where the last good JWK Set of each URL outlives the process, so that a worker started by a
 * rolling restart (SIGHUP) or a node restarted while the IdP is down verifies tokens with the keys
 * its predecessor fetched instead of failing closed. Kong keeps its JWKS in an nginx shared dict,
 * which survives a reload for the same reason; Envoy's in-memory cache does not.
 *
 * The documents are public keys (RFC 7517 §5), never secrets; files are written 0600 anyway.
 */
export interface JwksStore {
  /**
   * The JWK Set document last saved for `url`, or `undefined` when there is none, it cannot be
   * read, or it was fetched more than `maxAgeMs` before `now` (ms since the epoch) or after `now`.
   */
  load(url: string, maxAgeMs: number, now: number): unknown;
  /** Saves `doc` (a JWK Set fetched at `fetchedAt`, ms) for `url` in the background; never throws. */
  save(url: string, doc: unknown, fetchedAt: number): void;
}

/** On-disk form of one saved set. */
interface SavedJwks {
  readonly url: string;
  readonly fetched_at_ms: number;
  readonly jwks: unknown;
}

/**
 * A {@link JwksStore} in a directory (the node's `<state-dir>/jwks/`): one file per URL, named by
 * the URL's SHA-256, replaced atomically (write to a file unique to the process and thread, then
 * rename), so workers of one node share it without locks and a reader never sees half a file.
 */
export class JwksDirectory implements JwksStore {
  readonly #dir: string;
  readonly #warn: (fields: Record<string, unknown>, msg: string) => void;
  #made = false;

  /** @param dir created on the first save */
  constructor(dir: string, warn: (fields: Record<string, unknown>, msg: string) => void = () => {}) {
    this.#dir = dir;
    this.#warn = warn;
  }

  load(url: string, maxAgeMs: number, now: number): unknown {
    let saved: SavedJwks;
    try {
      saved = JSON.parse(readFileSync(this.#file(url), "utf8")) as SavedJwks;
    } catch {
      return undefined; // none yet, or unreadable: the set is fetched as if new
    }
    if (saved === null || typeof saved !== "object" || saved.url !== url) return undefined;
    if (typeof saved.fetched_at_ms !== "number") return undefined;
    // A save dated after `now` (a clock set back since, or an edited file) has no knowable age:
    // trusting it would keep a set the IdP may have revoked past `maxAgeMs`.
    const age = now - saved.fetched_at_ms;
    if (!Number.isFinite(age) || age < 0 || age > maxAgeMs) return undefined;
    return saved.jwks;
  }

  save(url: string, doc: unknown, fetchedAt: number): void {
    const file = this.#file(url);
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    const body = JSON.stringify({ url, fetched_at_ms: fetchedAt, jwks: doc } satisfies SavedJwks);
    void (async () => {
      if (!this.#made) {
        await mkdir(this.#dir, { recursive: true, mode: 0o700 });
        this.#made = true;
      }
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, file);
    })().catch((err: NodeJS.ErrnoException) => {
      this.#warn({ dir: this.#dir, cause: err.code ?? err.message }, "jwks could not be saved to the state directory");
    });
  }

  #file(url: string): string {
    return join(this.#dir, `${createHash("sha256").update(url).digest("hex")}.json`);
  }
}
