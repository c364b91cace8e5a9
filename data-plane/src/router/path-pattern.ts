import RE2 from "re2";

/** Captured path values by name (`/users/{id}` on `/users/7` → `{id: "7"}`). */
export type PathParams = Readonly<Record<string, string>>;

/**
 * A compiled regex or template path: a whole-path test, the captured values, and the literal
 * prefix the router indexes it under so that a lookup meets it only when the request path starts
 * with that prefix.
 */
export interface PathPattern {
  /**
   * The literal start of every path the pattern can match, cut after its last `/` (`/users/`
   * for `/users/{id}`), lower-cased unless case-sensitive; `null` when the pattern has none the
   * router can use (a regex starting with a group, holding `|`, …): it is then tried on every
   * lookup of its host bucket.
   */
  readonly indexKey: string | null;
  /** Whether the whole `path` matches (`lower`: `path` in lower case, for case-insensitive templates). */
  test(path: string, lower: string): boolean;
  /** The captured values of a path that {@link test} accepted. */
  capture(path: string, lower: string): PathParams;
  /** Literal characters of the pattern (a template's text outside its variables; 0 for a regex): ranks longer first. */
  readonly literalLength: number;
  /** A template's segments: literal ones lower-cased, `null` for a variable (the router's segment trie); null for a regex. */
  readonly segments: readonly (string | null)[] | null;
  /** A regex as one RE2 program of a set: anchored, with its case flag inline; null for a template. */
  readonly setSource: string | null;
}

/** Thrown for a pattern that cannot be compiled; `message` says why. */
export class PathPatternError extends Error {}

// A variable name: what `{id}` may be called (letters, digits, `_`, `.`, `-`: OpenAPI path
// templates use names like `{enterprise-team}`).
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const NO_PARAMS: PathParams = Object.freeze({});

/**
 * Compiles a path template: `/`-separated segments, each either literal or one whole-segment
 * variable `{name}` that matches one non-empty segment (OpenAPI 3 path templating, Envoy's
 * `uri_template` without `**`). Literal segments compare without regard to ASCII case unless
 * `caseSensitive`; captured values keep the request's spelling.
 * @param template starts with `/` and is canonical (validated by the caller as a route path)
 * @throws PathPatternError for a variable that is not a whole segment, a bad or repeated name
 */
export function compileTemplate(template: string, caseSensitive: boolean): PathPattern {
  const segments = template.split("/").slice(1);
  const literal: (string | null)[] = [];
  const names: string[] = [];
  let literalLength = 1;
  for (const s of segments) {
    if (s.startsWith("{") && s.endsWith("}")) {
      const name = s.slice(1, -1);
      if (!VARIABLE.test(name))
        throw new PathPatternError(`"{${name}}" is not a variable name (letters, digits, _ . -)`);
      if (names.includes(name)) throw new PathPatternError(`variable "${name}" appears twice`);
      names.push(name);
      literal.push(null);
    } else {
      if (s.includes("{") || s.includes("}"))
        throw new PathPatternError(`"${s}": a variable must be a whole segment ("/{name}/")`);
      literal.push(caseSensitive ? s : s.toLowerCase());
      literalLength += s.length + 1;
    }
  }
  if (names.length === 0) throw new PathPatternError("a template needs at least one {variable} (else use exact)");
  const first = literal.indexOf(null);
  const indexKey = `/${literal
    .slice(0, first)
    .map((s) => `${s}/`)
    .join("")}`;
  const n = segments.length;
  const test = (path: string, lower: string): boolean => {
    const p = caseSensitive ? path : lower;
    let at = 1;
    for (let i = 0; i < n; i++) {
      if (at > p.length) return false;
      let end = p.indexOf("/", at);
      if (end === -1) end = p.length;
      else if (i === n - 1) return false;
      const lit = literal[i];
      if (lit === null) {
        if (end === at) return false;
      } else if (end - at !== lit!.length || !p.startsWith(lit!, at)) return false;
      at = end + 1;
    }
    return at === p.length + 1;
  };
  const capture = (path: string): PathParams => {
    const parts = path.split("/");
    const out: Record<string, string> = {};
    let k = 0;
    for (let i = 0; i < n; i++) if (literal[i] === null) out[names[k++]!] = parts[i + 1]!;
    return Object.freeze(out);
  };
  const trie = Object.freeze(literal.map((l) => (l === null ? null : l.toLowerCase())));
  return Object.freeze({ indexKey, test, capture, literalLength, segments: trie, setSource: null });
}

/**
 * Compiles a regex path for RE2 (linear time in the path: no input can make matching slow; RE2
 * refuses back-references and look-around, the constructs that need backtracking). The whole
 * path must match (Envoy's `safe_regex` path semantics): the pattern runs as `^(?:…)$`. Named
 * groups (`(?P<id>[0-9]+)` or `(?<id>…)`) are the captured values. Without `caseSensitive` the
 * pattern ignores ASCII case, like the other path kinds.
 * @throws PathPatternError with RE2's reason for a pattern it refuses
 */
export function compileRegexPath(source: string, caseSensitive: boolean): PathPattern {
  const anchored = `^(?:${source})$`;
  const re = compileLinearRegex(anchored, caseSensitive ? "" : "i");
  const named = /\(\?P?<[A-Za-z_]/.test(source);
  const key = regexLiteralPrefix(source);
  const indexKey = key === null ? null : caseSensitive ? key : key.toLowerCase();
  return Object.freeze({
    indexKey,
    test: (path: string) => re.test(path),
    capture: (path: string): PathParams => {
      if (!named) return NO_PARAMS;
      const groups = re.exec(path)?.groups;
      if (groups === undefined) return NO_PARAMS;
      const out: Record<string, string> = {};
      for (const k in groups) if (groups[k] !== undefined) out[k] = groups[k]!;
      return Object.freeze(out);
    },
    literalLength: 0,
    segments: null,
    setSource: caseSensitive ? anchored : `(?i:${anchored})`,
  });
}

/**
 * An RE2 program for `source` (RE2 syntax; JS-style named groups `(?<n>…)` accepted).
 * @throws PathPatternError with RE2's reason when RE2 refuses it (invalid, or a construct that
 *   is not linear-time: back-references, look-ahead, look-behind)
 */
export function compileLinearRegex(source: string, flags: string): RE2 {
  try {
    return new RE2(source, flags);
  } catch (err) {
    throw new PathPatternError(`not a linear-time (RE2) regular expression: ${(err as Error).message}`);
  }
}

// Characters that stand for themselves in a regex and may appear in a canonical path.
const PLAIN = /[A-Za-z0-9/_~!&',;=:@%-]/;
const QUANTIFIER = /[?*+{]/;

/**
 * The literal start of a regex, cut after its last `/`: `/api/v[0-9]+/users` → `/api/`;
 * `null` when there is none or the pattern holds an alternation (which could bypass it).
 * Conservative: a character followed by a quantifier is not part of it.
 */
export function regexLiteralPrefix(source: string): string | null {
  if (source.includes("|")) return null;
  let i = source.startsWith("^") ? 1 : 0;
  let lit = "";
  for (; i < source.length; i++) {
    const c = source[i]!;
    if (!PLAIN.test(c)) break;
    if (i + 1 < source.length && QUANTIFIER.test(source[i + 1]!)) break;
    lit += c;
  }
  const slash = lit.lastIndexOf("/");
  if (!lit.startsWith("/") || slash === -1) return null;
  return lit.slice(0, slash + 1);
}
