import { readFileSync } from "node:fs";
import { WordTable } from "./word-table.js";

/**
 * libinjection's SQLi data, read once at module load from the vendored, unmodified copy in
 * `waf/third_party/libinjection/fingerprint-data/` and compiled into flat tables:
 *
 * - `sqlparse_data.json` `charmap`: 256 names (`CHAR_WORD`, `CHAR_STR`, …), one per byte, telling
 *   the tokenizer which scanner starts at that byte → {@link CHAR_CLASS}, a `Uint8Array(256)`.
 * - `sqlparse_data.json` `keywords`: 985 SQL words and two-character operators (upper case) with
 *   their token type (`k` keyword, `f` function, `U` union, `E` expression, `o` operator, `&`
 *   logic, `t` SQL type, `n`, `v`, `1`, `B`, `T`, `A`) → {@link lookupKeyword}, a
 *   {@link WordTable} compared byte by byte against the input (ASCII case-folded, no allocation).
 * - `fingerprints.txt`: the 8,367 five-token fingerprints that are SQLi → {@link isFingerprint},
 *   a `Set` of small-integer keys (see {@link fingerprintStep}); libinjection matches them
 *   ignoring case.
 */

const DATA_DIR = new URL("../../third_party/libinjection/fingerprint-data/", import.meta.url);

/** Byte classes: which scanner starts a token at a byte (libinjection's `CHAR_*` names). */
export const C_WHITE = 0;
export const C_BANG = 1;
export const C_STR = 2;
export const C_HASH = 3;
export const C_MONEY = 4;
export const C_OP1 = 5;
export const C_OP2 = 6;
export const C_LEFTPARENS = 7;
export const C_RIGHTPARENS = 8;
export const C_UNARY = 9;
export const C_COMMA = 10;
export const C_DASH = 11;
export const C_NUM = 12;
export const C_SLASH = 13;
export const C_SEMICOLON = 14;
export const C_OTHER = 15;
export const C_VAR = 16;
export const C_WORD = 17;
export const C_BSTRING = 18;
export const C_ESTRING = 19;
export const C_NQSTRING = 20;
export const C_QSTRING = 21;
export const C_USTRING = 22;
export const C_XSTRING = 23;
export const C_BWORD = 24;
export const C_BACK = 25;
export const C_TICK = 26;
export const C_LEFTBRACE = 27;
export const C_RIGHTBRACE = 28;

const CLASS_BY_NAME: Record<string, number> = {
  CHAR_WHITE: C_WHITE,
  CHAR_BANG: C_BANG,
  CHAR_STR: C_STR,
  CHAR_HASH: C_HASH,
  CHAR_MONEY: C_MONEY,
  CHAR_OP1: C_OP1,
  CHAR_OP2: C_OP2,
  CHAR_LEFTPARENS: C_LEFTPARENS,
  CHAR_RIGHTPARENS: C_RIGHTPARENS,
  CHAR_UNARY: C_UNARY,
  CHAR_COMMA: C_COMMA,
  CHAR_DASH: C_DASH,
  CHAR_NUM: C_NUM,
  CHAR_SLASH: C_SLASH,
  CHAR_SEMICOLON: C_SEMICOLON,
  CHAR_OTHER: C_OTHER,
  CHAR_VAR: C_VAR,
  CHAR_WORD: C_WORD,
  CHAR_BSTRING: C_BSTRING,
  CHAR_ESTRING: C_ESTRING,
  CHAR_NQSTRING: C_NQSTRING,
  CHAR_QSTRING: C_QSTRING,
  CHAR_USTRING: C_USTRING,
  CHAR_XSTRING: C_XSTRING,
  CHAR_BWORD: C_BWORD,
  CHAR_BACK: C_BACK,
  CHAR_TICK: C_TICK,
  CHAR_LEFTBRACE: C_LEFTBRACE,
  CHAR_RIGHTBRACE: C_RIGHTBRACE,
};

interface SqlparseData {
  charmap: string[];
  keywords: Record<string, string>;
}

const raw = JSON.parse(readFileSync(new URL("sqlparse_data.json", DATA_DIR), "utf8")) as SqlparseData;

/** The scanner class of each byte 0–255 (`sqlparse_data.json` `charmap`). */
export const CHAR_CLASS: Uint8Array = (() => {
  if (raw.charmap.length !== 256) throw new Error(`sqlparse_data.json: charmap has ${raw.charmap.length} entries`);
  const out = new Uint8Array(256);
  raw.charmap.forEach((name, i) => {
    const c = CLASS_BY_NAME[name];
    if (c === undefined) throw new Error(`sqlparse_data.json: unknown character class ${name} at ${i}`);
    out[i] = c;
  });
  return out;
})();

// ---- keyword table ------------------------------------------------------------------------

const keywords = new WordTable(
  Object.entries(raw.keywords).map(([word, type]): [string, number] => {
    if (type.length !== 1) throw new Error(`sqlparse_data.json: keyword ${word} has type ${type}`);
    return [word, type.charCodeAt(0)];
  }),
);

/**
 * Every leading part of a multi-word keyword ("UNION", "UNION ALL" of "UNION ALL DISTINCT"):
 * only such a word can merge with the next one, so the pair lookup is tried for it alone.
 */
const mergePrefixes = new WordTable(
  [
    ...new Set(
      Object.keys(raw.keywords).flatMap((word) => {
        const parts = word.split(" ");
        return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join(" "));
      }),
    ),
  ].map((prefix): [string, number] => [prefix, 1]),
);

/** Number of entries in the keyword table (for tests and the README). */
export const KEYWORD_COUNT = Object.keys(raw.keywords).length;

/**
 * The token type of the word `s[start, start+len)` (compared ignoring ASCII case), or 0 when it
 * is not in libinjection's keyword table. No allocation.
 */
export function lookupKeyword(s: string, start: number, len: number): number {
  return keywords.get(s, start, len);
}

/** As {@link lookupKeyword}, with the word's hash computed while scanning it (see WordTable). */
export function lookupKeywordHashed(h: number, s: string, start: number, len: number): number {
  return keywords.getHashed(h, s, start, len);
}

/**
 * The token type of the two words `a` and `b` joined by one space ("UNION" + "ALL" →
 * "UNION ALL"), or 0: libinjection's word merging. No allocation.
 */
export function lookupKeywordPair(
  as: string,
  aStart: number,
  aLen: number,
  bs: string,
  bStart: number,
  bLen: number,
): number {
  if (mergePrefixes.get(as, aStart, aLen) === 0) return 0;
  return keywords.getPair(as, aStart, aLen, bs, bStart, bLen);
}

// ---- fingerprints ---------------------------------------------------------------------------

/** Five-bit codes of the (case-folded) token-type characters that make up fingerprints. */
const TYPE_CODE = new Uint8Array(128);
"KUBETFN1VSO&CA(){}.,:;?X\\".split("").forEach((ch, i) => {
  TYPE_CODE[ch.charCodeAt(0)] = i + 1;
  TYPE_CODE[ch.toLowerCase().charCodeAt(0)] = i + 1;
});

/**
 * The integer key of one more fingerprint character: `key = fingerprintStep(key, typeChar)`
 * from 0. Five bits per character, case-folded (libinjection looks fingerprints up ignoring case,
 * so `t` and `T` match each other); five characters stay under 2^25, a small integer.
 * Returns -1 for a character that appears in no fingerprint.
 */
export function fingerprintStep(key: number, ch: number): number {
  const code = ch < 128 ? TYPE_CODE[ch]! : 0;
  return code === 0 || key < 0 ? -1 : (key << 5) | code;
}

/** The integer key of a whole fingerprint string (see {@link fingerprintStep}). */
export function fingerprintKey(fp: string): number {
  let k = 0;
  for (let i = 0; i < fp.length; i++) k = fingerprintStep(k, fp.charCodeAt(i));
  return k;
}

const fingerprints = new Set<number>();
for (const line of readFileSync(new URL("fingerprints.txt", DATA_DIR), "latin1").split("\n")) {
  const fp = line.trim();
  if (fp === "") continue;
  const key = fingerprintKey(fp);
  if (fp.length > 5 || key < 0) throw new Error(`fingerprints.txt: ${fp} is not a fingerprint`);
  fingerprints.add(key);
}

/** Number of fingerprints loaded (for tests and the README). */
export const FINGERPRINT_COUNT = fingerprints.size;

/** True when the fingerprint with integer key `key` ({@link fingerprintKey}) is in the SQLi set. */
export function isFingerprint(key: number): boolean {
  return fingerprints.has(key);
}
