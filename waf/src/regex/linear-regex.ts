import RE2 from "re2";
import type { ByteString } from "../bytes.js";
import { parsePcre } from "./pcre-parser.js";
import { passes, type Prefilter, prefilterOf } from "./prefilter.js";
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
  /** Number of capturing groups. */
  readonly groups: number;
  /** Constructs read approximately (possessive quantifiers, atomic groups). */
  readonly approximations: readonly string[];
  readonly #re: RE2;

  /**
   * @throws RegexUnsupportedError when the pattern uses a construct no linear-time engine runs
   *   (look-around, back-references, …), or Error from RE2 for a pattern it rejects.
   */
  constructor(source: string) {
    this.source = source;
    const parsed = parsePcre(source);
    this.re2Source = toRe2(source);
    this.prefilter = prefilterOf(parsed.root);
    this.groups = parsed.groups;
    this.approximations = parsed.approximations;
    this.#re = new RE2(this.re2Source, "");
  }

  /**
   * Whether the pattern matches somewhere in `subject`. `lowered` is `subject.toLowerCase()`
   * when the caller has it cached (the prefilter reads it).
   */
  test(subject: ByteString, lowered?: string): boolean {
    if (this.prefilter !== true && !passes(this.prefilter, lowered ?? subject.toLowerCase())) return false;
    return this.#re.test(subject);
  }

  /** The first match and its groups (`[0]` the whole match; absent groups are undefined), or null. */
  exec(subject: ByteString, lowered?: string): RegExpExecArray | null {
    if (this.prefilter !== true && !passes(this.prefilter, lowered ?? subject.toLowerCase())) return null;
    return this.#re.exec(subject);
  }

  /** The RE2 program, bypassing the prefilter (tests of the prefilter's soundness use it). */
  testWithoutPrefilter(subject: ByteString): boolean {
    return this.#re.test(subject);
  }
}
