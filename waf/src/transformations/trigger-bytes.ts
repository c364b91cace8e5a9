import type { ByteString } from "../bytes.js";

/**
 * Byte classes of a value, one bit each, that decide whether a transformation can change it:
 * `urlDecodeUni` does nothing to a value without `%` or `+`, `htmlEntityDecode` nothing without
 * `&`, the escape decoders nothing without `\`. A value's classes are computed once
 * ({@link byteClasses}, one pass) and every transformation of every chain is then answered by
 * one AND ({@link TRIGGERS}), so the engine skips the call and, when a whole chain cannot change
 * any value of a target, the per-value work.
 */
export const ByteClass = {
  /** A–Z */
  Upper: 1 << 0,
  Percent: 1 << 1,
  Plus: 1 << 2,
  Ampersand: 1 << 3,
  Backslash: 1 << 4,
  Nul: 1 << 5,
  /** C `isspace`: SP \t \n \v \f \r */
  Space: 1 << 6,
  /** 0xA0, which ModSecurity's whitespace transformations count as whitespace */
  Nbsp: 1 << 7,
  /** 0x80–0xFF */
  High: 1 << 8,
  Slash: 1 << 9,
  Dot: 1 << 10,
  Star: 1 << 11,
  Dash: 1 << 12,
  Hash: 1 << 13,
  /** `"` and `'` */
  Quote: 1 << 14,
  Caret: 1 << 15,
  Comma: 1 << 16,
  Semicolon: 1 << 17,
  /** Set for every value, even the empty one: a trigger set with this bit always runs. */
  Any: 1 << 30,
} as const;

/** Every class (Any included): a transformation with this trigger set is always run. */
export const ALWAYS = -1;

const CLASS_OF = new Int32Array(256);
for (let c = 0x41; c <= 0x5a; c++) CLASS_OF[c] = ByteClass.Upper;
for (const c of [9, 10, 11, 12, 13, 32]) CLASS_OF[c] = ByteClass.Space;
for (let c = 0x80; c <= 0xff; c++) CLASS_OF[c] = ByteClass.High;
CLASS_OF[0xa0] = ByteClass.High | ByteClass.Nbsp;
CLASS_OF[0x25] = ByteClass.Percent;
CLASS_OF[0x2b] = ByteClass.Plus;
CLASS_OF[0x26] = ByteClass.Ampersand;
CLASS_OF[0x5c] = ByteClass.Backslash;
CLASS_OF[0] = ByteClass.Nul;
CLASS_OF[0x2f] = ByteClass.Slash;
CLASS_OF[0x2e] = ByteClass.Dot;
CLASS_OF[0x2a] = ByteClass.Star;
CLASS_OF[0x2d] = ByteClass.Dash;
CLASS_OF[0x23] = ByteClass.Hash;
CLASS_OF[0x22] = ByteClass.Quote;
CLASS_OF[0x27] = ByteClass.Quote;
CLASS_OF[0x5e] = ByteClass.Caret;
CLASS_OF[0x2c] = ByteClass.Comma;
CLASS_OF[0x3b] = ByteClass.Semicolon;

/** The {@link ByteClass} bits of every byte of `value` (one pass). */
export function byteClasses(value: ByteString): number {
  let classes: number = ByteClass.Any;
  for (let i = 0; i < value.length; i++) classes |= CLASS_OF[value.charCodeAt(i) & 0xff]!;
  return classes;
}

/**
 * When a transformation can change a value: `triggers` are the byte classes without which it
 * returns the value unchanged — or, for a transformation that `folds`, the value with A–Z
 * lower-cased (`t:lowercase` always; `t:cmdLine` when none of its separators and deleted bytes
 * occur). {@link ALWAYS} for transformations that change every value (`length`, `sha1`,
 * `base64Decode`, …). Derived from each transformation's definition (see its file);
 * `trigger-bytes.test.ts` checks the claim on random values of every transformation.
 */
export interface Triggers {
  readonly triggers: number;
  readonly folds: boolean;
}

const B = ByteClass;
const only = (triggers: number): Triggers => ({ triggers, folds: false });

/** By lower-case transformation name (the keys of TRANSFORMATIONS). */
export const TRIGGERS: ReadonlyMap<string, Triggers> = new Map<string, Triggers>([
  ["urldecodeuni", only(B.Percent | B.Plus)],
  ["urldecode", only(B.Percent | B.Plus)],
  ["lowercase", { triggers: 0, folds: true }],
  ["jsdecode", only(B.Backslash)],
  ["cssdecode", only(B.Backslash)],
  ["escapeseqdecode", only(B.Backslash)],
  ["htmlentitydecode", only(B.Ampersand)],
  ["utf8tounicode", only(B.High)],
  ["removenulls", only(B.Nul)],
  ["replacenulls", only(B.Nul)],
  // Deleted bytes `\ " ' ^`, separators `, ;` and SP \t \r \n (a space before `/` or `(` follows one).
  ["cmdline", { triggers: B.Backslash | B.Quote | B.Caret | B.Comma | B.Semicolon | B.Space, folds: true }],
  ["removewhitespace", only(B.Space | B.Nbsp)],
  ["compresswhitespace", only(B.Space | B.Nbsp)],
  ["trim", only(B.Space)],
  ["trimleft", only(B.Space)],
  ["trimright", only(B.Space)],
  // `/*` (an unterminated one too); a lone `*/` stays.
  ["replacecomments", only(B.Star)],
  // `/*`, `*/`, `--`, `#`, `<!--`, `-->`.
  ["removecommentschar", only(B.Star | B.Dash | B.Hash)],
  ["removecomments", only(B.Star | B.Dash | B.Hash)],
  // `//`, `.` and `..` segments (a value without `/` changes only when it is `.`).
  ["normalizepath", only(B.Slash | B.Dot)],
  ["normalisepath", only(B.Slash | B.Dot)],
  ["normalizepathwin", only(B.Slash | B.Dot | B.Backslash)],
  ["normalisepathwin", only(B.Slash | B.Dot | B.Backslash)],
]);

/** The triggers of a transformation by lower-case name ({@link ALWAYS} when it has none listed). */
export function triggersOf(name: string): Triggers {
  return TRIGGERS.get(name) ?? { triggers: ALWAYS, folds: false };
}
