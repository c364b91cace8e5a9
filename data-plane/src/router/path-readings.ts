import { canonicalizePath, type PathOptions, type PathRefusal } from "./path.js";

/**
 * The other ways an upstream may read a canonical path that holds `;` or an escape of a delimiter
 * (`CanonicalPath.delimiters`: `%3B`, `%3F`, `%23`, `%25`). Such escapes are legal (RFC 3986
 * §2.1) and a path holding them is forwarded unchanged, but only when each of these readings
 * meets the same route as the path itself: a route's policies can never be skipped by spelling
 * its path with a character some upstream takes for a delimiter, and a path whose readings all
 * stay on one route (`/%23fragment` under the catch-all, `/files/a%3Fb` under `/files/`) passes.
 * Case C03: `/admin%23/users` must not be served by an open catch-all while `/admin` is guarded.
 *
 * Each reading is a sequence of steps (see {@link UPSTREAM_READINGS}) an upstream applies:
 * `decode` (one percent-decoding pass: `%3B` `%3F` `%23` become the delimiters `;` `?` `#`,
 * `%25XX` becomes `%XX`, which a second pass decodes again), `params` (`;` up to the end of its
 * segment removed: Tomcat and Jetty on the raw path, Spring after decoding; `/..;/` → `/../`),
 * `cut` (the decoded path parsed again as a URL ends at its first `?` or `#`).
 *
 * Each reading is a raw path for the canonicalizer, which may refuse it: then the request is
 * refused too (an upstream reading it that way would see a dot segment, an encoded slash, …).
 * @param path a canonical path (escapes in upper case)
 * @returns the distinct readings that differ from `path` (none when it holds no delimiter)
 */
export function otherReadings(path: string): string[] {
  const out: string[] = [];
  for (const steps of UPSTREAM_READINGS) {
    let s = path;
    for (const step of steps) s = step === "decode" ? decode(s) : step === "params" ? withoutParams(s) : cut(s);
    const r = s.replace(DECODED, encodeDelimiter);
    if (r !== path && !out.includes(r)) out.push(r);
  }
  return out;
}

/** One step of an upstream's reading of a path. */
type Step = "decode" | "params" | "cut";

/** The readings checked: how real upstreams read a path beside the plain RFC 3986 way. */
const UPSTREAM_READINGS: readonly (readonly Step[])[] = [
  ["params"], // Tomcat, Jetty: path parameters cut from the raw path (`/admin;x/users`)
  ["decode", "params"], // Spring's UrlPathHelper: decoded, then path parameters cut (`%3B`)
  ["decode", "cut"], // decoded, then parsed again as a URL (`/admin%3F/x` → `/admin`)
  ["decode", "params", "cut"],
  ["decode", "decode", "cut"], // decoded twice (IIS CVE-2001-0333; `%252F`, `%252e%252e`)
  ["decode", "decode", "params", "cut"],
];

// Delimiters a decoding pass produced, kept apart from the path's literal characters (private
// use code points: a canonical path is ASCII) until the reading is written back as a path.
const SEMICOLON = "\ue03b";
const QUESTION = "\ue03f";
const HASH = "\ue023";
// After a first pass the hex digits of an escape are the client's own (`%253f` → `%3f`): any case.
const ESCAPE = /%(?:25([0-9A-Fa-f]{2})|3[BbFf]|23)/g;
const DECODED = /[\ue03b\ue03f\ue023]/g;
// A path parameter: from `;` (literal or decoded) to the end of its segment.
const PARAM = /[;\ue03b][^/]*/g;
const QUERY_OR_FRAGMENT = /[\ue03f\ue023]/;

function decode(path: string): string {
  return path.replace(ESCAPE, (m: string, twice: string | undefined) =>
    twice !== undefined ? `%${twice}` : m === "%23" ? HASH : m[2] === "B" || m[2] === "b" ? SEMICOLON : QUESTION,
  );
}

function withoutParams(path: string): string {
  return path.replace(PARAM, "");
}

function cut(path: string): string {
  const i = path.search(QUERY_OR_FRAGMENT);
  return i === -1 ? path : path.slice(0, i);
}

/** A decoded delimiter that no step consumed, written back as the escape it came from. */
function encodeDelimiter(c: string): string {
  return c === SEMICOLON ? "%3B" : c === QUESTION ? "%3F" : "%23";
}

/**
 * Checks every other reading of a canonical path (see {@link otherReadings}).
 * @param path the canonical path as forwarded
 * @param opts how the node reads paths (the table's most permissive options)
 * @param meetsSameRoute whether a reading's match form meets the route the path itself met
 * @returns `undefined` when every reading is a path the node accepts and meets the same route;
 *   else the canonicalizer's refusal of a reading (`path_dot_segment` for `/%252e%252e/x`), or
 *   `path_delimiter_reroutes`
 */
export function checkOtherReadings(
  path: string,
  opts: PathOptions,
  meetsSameRoute: (match: string) => boolean,
): PathRefusal | undefined {
  for (const reading of otherReadings(path)) {
    const c = canonicalizePath(reading, opts);
    if (typeof c === "string") return c;
    if (!meetsSameRoute(c.match)) return "path_delimiter_reroutes";
  }
  return undefined;
}
