import RE2 from "re2";
import type { PathPattern } from "./path-pattern.js";
import type { MatchRequest } from "./route-conditions.js";

/** What the pattern indexes need of a router entry (router.ts `Entry`). */
export interface PatternEntry {
  readonly pattern: PathPattern | null;
  /** Method, path and conditions. */
  matches(method: string, path: string, lower: string, req: MatchRequest): boolean;
  /** Method and conditions, for an entry whose path is known to match. */
  matchesBesidesPath(method: string, req: MatchRequest): boolean;
}

/** The better of two candidates by the router's precedence (either may be missing). */
export type Better<E> = (a: E | undefined, b: E | undefined) => E | undefined;

/** The first entry of `list` (precedence order) that matches, or undefined. */
function firstOf<E extends PatternEntry>(
  list: readonly E[],
  method: string,
  path: string,
  lower: string,
  req: MatchRequest,
): E | undefined {
  for (const e of list) if (e.matches(method, path, lower, req)) return e;
  return undefined;
}

interface TrieNode<E> {
  readonly literal: Map<string, TrieNode<E>>;
  wildcard: TrieNode<E> | null;
  /** Templates ending here, in precedence order. */
  readonly entries: E[];
}

const node = <E>(): TrieNode<E> => ({ literal: new Map(), wildcard: null, entries: [] });

/**
 * A bucket's template paths as a segment trie: a literal segment is an edge by its lower-case
 * text, a variable an edge that takes any non-empty segment. A lookup follows, per segment of the
 * path, at most the literal edge and the variable edge, so 600 templates under `/repos/` cost a
 * walk of a few nodes rather than 600 tests (the literal-prefix index alone: ~50 µs per lookup,
 * bench/micro/route-match.mjs). Candidates are confirmed by the entry (case, method, conditions).
 */
export class TemplateTrie<E extends PatternEntry> {
  readonly #root = node<E>();

  /** @param entries template entries in precedence order */
  constructor(entries: readonly E[]) {
    for (const e of entries) {
      let n = this.#root;
      for (const seg of e.pattern!.segments!) {
        if (seg === null) n = n.wildcard ??= node<E>();
        else {
          let next = n.literal.get(seg);
          if (next === undefined) {
            next = node<E>();
            n.literal.set(seg, next);
          }
          n = next;
        }
      }
      n.entries.push(e);
    }
  }

  /** The best matching template entry for `path`, or undefined. */
  first(method: string, path: string, lower: string, req: MatchRequest, better: Better<E>): E | undefined {
    const segs = lower.split("/");
    const walk = (n: TrieNode<E>, i: number): E | undefined => {
      if (i === segs.length) return n.entries.length === 0 ? undefined : firstOf(n.entries, method, path, lower, req);
      const s = segs[i]!;
      const lit = n.literal.get(s);
      let best = lit === undefined ? undefined : walk(lit, i + 1);
      if (n.wildcard !== null && s !== "") best = better(best, walk(n.wildcard, i + 1));
      return best;
    };
    return walk(this.#root, 1);
  }
}

/** Regex entries of one index key from which on they are run as one RE2 set. */
const SET_MIN = 8;

/**
 * The regex paths of a bucket that share one literal start (or have none): below {@link SET_MIN}
 * each is tried in turn; from it on one RE2 set runs them all in a single pass over the path
 * (RE2::Set: linear in the path, whatever the number of patterns) and only the entries whose
 * pattern matched are confirmed (method, conditions).
 */
export class RegexGroup<E extends PatternEntry> {
  readonly #entries: readonly E[];
  readonly #set: InstanceType<typeof RE2.Set> | null;

  /** @param entries regex entries in precedence order */
  constructor(entries: readonly E[]) {
    this.#entries = entries;
    this.#set =
      entries.length < SET_MIN
        ? null
        : new RE2.Set(
            entries.map((e) => e.pattern!.setSource!),
            "",
            { anchor: "unanchored" },
          );
  }

  /** The first matching entry in precedence order, or undefined. */
  first(method: string, path: string, lower: string, req: MatchRequest): E | undefined {
    if (this.#set === null) return firstOf(this.#entries, method, path, lower, req);
    const hits = this.#set.match(path);
    if (hits.length === 0) return undefined;
    if (hits.length > 1) hits.sort((a, b) => a - b);
    for (const i of hits) {
      const e = this.#entries[i]!;
      if (e.matchesBesidesPath(method, req)) return e;
    }
    return undefined;
  }
}
