import type { Route } from "@palisade/proto";
import { isAllowableEscape } from "../router/path.js";
import type { CompileError } from "./compile-error.js";

/** A route's own overrides of the path refusal list (see router/path.ts). */
export interface RoutePathRules {
  /**
   * Escaped bytes refused by default that the route forwards (`allow_encoded`, and `0x2F` for
   * `allow_encoded_slashes`): `0x2F`, `0x5C`, `0x01`–`0x1F`, `0x7F`.
   */
  readonly allowEncoded: ReadonlySet<number>;
  /** What the route refuses beyond the defaults: upper-case escapes (`%23`) and `;`. */
  readonly refuseEncoded: readonly string[];
}

const ESCAPE = /^%[0-9A-Fa-f]{2}$/;
const NONE: ReadonlySet<number> = Object.freeze(new Set<number>());

function isUnreserved(b: number): boolean {
  return /^[A-Za-z0-9._~-]$/.test(String.fromCharCode(b));
}

/**
 * Compiles a route's `allow_encoded` and `refuse_encoded` lists.
 * @param bad builds the route's RESOURCE_INVALID error from a message
 * @throws CompileError (through `bad`) for an entry that is not `%XX` (or `;` in `refuse_encoded`),
 *   an `allow_encoded` escape that is not refused by default or is `%00`, a `refuse_encoded`
 *   escape of an unreserved character (the canonicalizer decodes those) or of one refused by
 *   default, and an escape in both lists
 */
export function compilePathRules(r: Route, bad: (msg: string) => CompileError): RoutePathRules {
  const allowEncoded = new Set<number>(r.allowEncodedSlashes ? [0x2f] : []);
  r.allowEncoded.forEach((e, i) => {
    if (!ESCAPE.test(e)) throw bad(`allow_encoded[${i}]: "${e}" is not a %XX escape`);
    const b = Number.parseInt(e.slice(1), 16);
    if (!isAllowableEscape(b)) throw bad(`allow_encoded[${i}]: ${e} is not refused by default (or is %00)`);
    allowEncoded.add(b);
  });
  const refuseEncoded: string[] = [];
  r.refuseEncoded.forEach((e, i) => {
    if (e !== ";") {
      if (!ESCAPE.test(e)) throw bad(`refuse_encoded[${i}]: "${e}" is not a %XX escape or ";"`);
      const b = Number.parseInt(e.slice(1), 16);
      if (isUnreserved(b)) throw bad(`refuse_encoded[${i}]: ${e} is an unreserved character (decoded, never seen)`);
      if (allowEncoded.has(b)) throw bad(`refuse_encoded[${i}]: ${e} is also in allow_encoded`);
      if (isAllowableEscape(b) || b === 0) throw bad(`refuse_encoded[${i}]: ${e} is refused by default`);
    }
    const norm = e.toUpperCase();
    if (!refuseEncoded.includes(norm)) refuseEncoded.push(norm);
  });
  return Object.freeze({
    allowEncoded: allowEncoded.size === 0 ? NONE : Object.freeze(allowEncoded),
    refuseEncoded: Object.freeze(refuseEncoded),
  });
}

/**
 * A route's own request body limit (`max_body_bytes`), bytes: `null` when unset (the snapshot's
 * `RequestSettings.max_body_bytes`, else the node's `--max-body-bytes` applies), 0 for none.
 * @throws CompileError (through `bad`) past 2^53 - 1
 */
export function routeBodyLimit(
  value: bigint | undefined,
  field: string,
  bad: (msg: string) => CompileError,
): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw bad(`${field}: ${value} is too large`);
  return n;
}
