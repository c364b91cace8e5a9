import RE2 from "re2";
import type { ByteString } from "../bytes.js";
import type { OperatorValue } from "../operators/operator.js";
import { INFINITE, type RegexNode } from "./ast.js";
import { foldAscii, LITERALS, type LiteralHits } from "./literal-index.js";
import { parsePcre } from "./pcre-parser.js";
import { type Prefilter, prefilterOf } from "./prefilter.js";
import { PrefilterProgram } from "./prefilter-program.js";
import { toRe2 } from "./translate.js";

/**
 * A PCRE pattern compiled for RE2 (linear time in the subject: no backtracking, so no input can
 * make it slow), with a literal prefilter checked first. Matching semantics are ModSecurity
 * v3's `@rx`: dot-all and multi-line, over bytes.
 */
export class LinearRegex {
  /** The pattern as written in the rule. */
  readonly source: string;
  /** The pattern as RE2 runs it. */
  readonly re2Source: string;
  readonly prefilter: Prefilter;
  /** The prefilter compiled, or null when the pattern has no necessary condition. */
  readonly #filter: PrefilterProgram | null;
  /** Number of capturing groups. */
  readonly groups: number;
  /** Constructs read approximately (possessive quantifiers, atomic groups). */
  readonly approximations: readonly string[];
  readonly #re: RE2;
  /** An exact literal form of the pattern, when it has one (see literalForm). */
  readonly #literal: LiteralForm | null;
  /** The pattern matches every subject whole (`^.*$` in dot-all mode). */
  readonly #universal: boolean;

  /**
   * @throws RegexUnsupportedError when the pattern uses a construct no linear-time engine runs
   *   (look-around, back-references, …), or Error from RE2 for a pattern it rejects.
   */
  constructor(source: string) {
    this.source = source;
    const parsed = parsePcre(source);
    this.re2Source = toRe2(source);
    this.prefilter = prefilterOf(parsed.root);
    this.#filter = this.prefilter === true ? null : new PrefilterProgram(this.prefilter, LITERALS);
    this.groups = parsed.groups;
    this.approximations = parsed.approximations;
    this.#re = new RE2(this.re2Source, "");
    this.#literal = parsed.groups === 0 ? literalForm(parsed.root) : null;
    this.#universal = isUniversal(parsed.root);
  }

  /** Whether the prefilter lets `subject` through (`hits`: its literal scan, when the caller has it cached). */
  #passes(subject: ByteString, hits: LiteralHits | undefined): boolean {
    const f = this.#filter;
    if (f === null) return true;
    const h = hits !== undefined && hits.version === LITERALS.version ? hits : LITERALS.scan(subject);
    return this.prefilterPasses(h);
  }

  /**
   * For a case-insensitive target selector: whether the pattern matches a key, given the key and
   * its lower-cased form (a literal pattern compares the lower-cased key without folding again).
   */
  testKey(key: ByteString, lkey: string, hits: () => LiteralHits): boolean {
    const lit = this.#literal;
    if (lit?.folds) return lit.testFolded(lkey);
    return this.test(key, lit === null ? hits() : undefined);
  }

  /** Whether the pattern matches somewhere in `subject`. */
  test(subject: ByteString, hits?: LiteralHits): boolean {
    const lit = this.#literal;
    if (lit !== null) return lit.test(subject);
    if (this.#universal) return true;
    if (!this.#passes(subject, hits)) return false;
    // A string, not its UTF-8 Buffer: node-re2 converts one-byte strings faster than it reads
    // a Buffer of under ~1 KB, and as fast above.
    return this.#re.test(subject);
  }

  /** {@link test} on a value whose literal scan the engine keeps. */
  testValue(value: OperatorValue): boolean {
    const lit = this.#literal;
    if (lit !== null) return lit.test(value.s);
    if (this.#universal) return true;
    if (this.#filter !== null && !this.prefilterPasses(value.hits)) return false;
    return this.#re.test(value.s);
  }

  /** The first match and its groups (`[0]` the whole match; absent groups are undefined), or null. */
  exec(subject: ByteString, hits?: LiteralHits): RegExpExecArray | null {
    return this.#passes(subject, hits) ? this.execWithoutPrefilter(subject) : null;
  }

  /** {@link exec} without the prefilter (for a subject known to pass it). */
  execWithoutPrefilter(subject: ByteString): RegExpExecArray | null {
    if (this.#universal) return Object.assign([subject], { index: 0, input: subject }) as RegExpExecArray;
    return this.#re.exec(subject);
  }

  /**
   * Whether the prefilter passes `hits` (of one value, or the union of several values: a union
   * that fails means no value of it can match).
   */
  prefilterPasses(hits: LiteralHits): boolean {
    return this.#filter === null || this.#filter.passes(hits);
  }

  /** Whether a prefilter applies (patterns without a necessary literal have none). */
  get filtered(): boolean {
    return this.#filter !== null;
  }

  /** The RE2 program, bypassing the prefilter (tests of the prefilter's soundness use it). */
  testWithoutPrefilter(subject: ByteString): boolean {
    return this.#re.test(subject);
  }
}

/** A pattern that is exactly a literal test: `^abc`, `abc`, `(?i)^abc_*` (a trailing part that may match empty). */
interface LiteralForm {
  test(subject: string): boolean;
  /** The pattern folds case: `testFolded` takes a subject already lower-cased. */
  readonly folds: boolean;
  testFolded(lowered: string): boolean;
}

/**
 * The literal form of a pattern made of an optional `^`/`\A`, literal bytes (case-folded ones
 * included) and then only parts that can match the empty string: the regex is then exactly
 * "starts with" (or, for a multi-line `^`, "starts with or follows a line feed") or "contains"
 * the literal, which needs no regex engine. Target selectors like `TX:/^header_name_920450_/` and
 * `TX:/MULTIPART_HEADERS_CONTENT_TYPES_*\/` take this path.
 */
function literalForm(root: RegexNode): LiteralForm | null {
  const items = root.kind === "seq" ? root.items : [root];
  let i = 0;
  let anchor: "none" | "begin" | "bol" = "none";
  const first = items[0];
  if (first?.kind === "assert" && (first.what === "begin" || first.what === "bol")) {
    anchor = first.what;
    i = 1;
  }
  let text = "";
  let fold = false;
  for (; i < items.length && items[i]!.kind === "char"; i++) {
    const c = items[i] as { code: number; fold: boolean };
    text += String.fromCharCode(c.fold ? c.code | 0x20 : c.code);
    if (c.fold) fold = true;
  }
  if (text === "") return null;
  for (; i < items.length; i++) {
    const n = items[i]!;
    if (!(n.kind === "repeat" && n.min === 0)) return null;
  }
  // Mixed folding (some letters fold, some not) is left to the engine.
  if (
    fold &&
    [...text].some((ch, k) => /[a-z]/.test(ch) && !(items[k + (anchor === "none" ? 0 : 1)] as { fold: boolean }).fold)
  )
    return null;
  const raw =
    anchor === "begin"
      ? (s: string) => s.startsWith(text)
      : anchor === "bol"
        ? (s: string) => s.startsWith(text) || s.includes(`\n${text}`)
        : (s: string) => s.includes(text);
  return { test: fold ? (s) => raw(foldAscii(s)) : raw, folds: fold, testFolded: raw };
}

/** Whether a pattern is `^.*$` (or `.*`, with `\A`/`\z`): in dot-all mode it matches every subject whole. */
function isUniversal(root: RegexNode): boolean {
  const items = root.kind === "seq" ? [...root.items] : [root];
  const first = items[0];
  if (first?.kind === "assert" && (first.what === "bol" || first.what === "begin")) items.shift();
  const last = items[items.length - 1];
  if (last?.kind === "assert" && (last.what === "eol" || last.what === "end")) items.pop();
  const only = items[0];
  return (
    items.length === 1 &&
    only!.kind === "repeat" &&
    only!.min === 0 &&
    only!.max === INFINITE &&
    only!.body.kind === "class" &&
    only!.body.set.every((b) => b === 1)
  );
}
