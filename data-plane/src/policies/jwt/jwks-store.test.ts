import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JwksDirectory } from "./jwks-store.js";

const URL_A = "https://idp.example.test/jwks";
const DAY_MS = 86_400_000;
const DOC = { keys: [{ kty: "RSA", kid: "idp-1", n: "AQAB", e: "AQAB" }] };

/** Writes a saved set for `URL_A` as a node would find it in its state directory. */
async function saved(dir: string, body: unknown): Promise<void> {
  const name = `${createHash("sha256").update(URL_A).digest("hex")}.json`;
  await writeFile(join(dir, name), typeof body === "string" ? body : JSON.stringify(body));
}

test("a saved JWKS is restored only when it is for this URL and was fetched within the max age, not later than now", async () => {
  const dir = await mkdtemp(join(tmpdir(), "palisade-jwks-store-"));
  try {
    const store = new JwksDirectory(dir);
    const now = 1_800_000_000_000;
    await saved(dir, { url: URL_A, fetched_at_ms: now - 60_000, jwks: DOC });
    assert.deepEqual(store.load(URL_A, DAY_MS, now), DOC, "a recent save of this URL");

    const refused: [string, unknown][] = [
      ["another URL's save", { url: "https://attacker.example.test/jwks", fetched_at_ms: now, jwks: DOC }],
      ["older than the max age", { url: URL_A, fetched_at_ms: now - DAY_MS - 1, jwks: DOC }],
      // A future date would never age out: the set would outlive jwks_max_ttl while the IdP is down.
      ["dated in the future", { url: URL_A, fetched_at_ms: now + 60_000, jwks: DOC }],
      ["dated far in the future", { url: URL_A, fetched_at_ms: 1e15, jwks: DOC }],
      ["a date that is not a number", { url: URL_A, fetched_at_ms: String(now), jwks: DOC }],
      ["no date", { url: URL_A, jwks: DOC }],
      ["garbage", "{not json"],
      ["null", null],
    ];
    for (const [what, body] of refused) {
      await saved(dir, body);
      assert.equal(store.load(URL_A, DAY_MS, now), undefined, what);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
