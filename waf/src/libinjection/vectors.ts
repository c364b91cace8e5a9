import { readdirSync, readFileSync } from "node:fs";
import { HTML5_TOKEN_NAMES, Html5Tokenizer } from "./html5-tokenizer.js";
import { detectSQLi, SqliDetector } from "./sqli.js";
import { QUOTE_NONE } from "./sqli-tokenizer.js";
import { T_STRING, T_VARIABLE, type TokenStore } from "./sqli-tokens.js";

/**
 * libinjection's test vectors (`third_party/libinjection/tests/test-*.txt`) and how Palisade's
 * detectors answer them. A vector file has three sections: `--TEST--` (a description),
 * `--INPUT--` (the input, to the newline before the next section) and `--EXPECTED--` (one
 * line per token, or the fingerprint). The kind comes from the file name: `test-tokens-*`
 * (the raw SQL token stream), `test-folding-*` (the folded tokens), `test-sqli-*` (the
 * fingerprint when the input is SQLi, nothing otherwise), `test-html5-*` (HTML5 tokens).
 */

/** The vendored test-vector folder. */
export const VECTOR_DIR = new URL("../../third_party/libinjection/tests/", import.meta.url);

export type VectorKind = "tokens" | "folding" | "sqli" | "html5";

export interface Vector {
  /** File name, e.g. `test-folding-001.txt`. */
  readonly file: string;
  readonly kind: VectorKind;
  readonly description: string;
  /** The input as a byte string. */
  readonly input: string;
  /** Expected output, trailing whitespace trimmed. */
  readonly expected: string;
}

/** Parses one vector file's text (read as latin1, so bytes stay bytes). */
export function parseVector(file: string, text: string): Vector {
  const kind = /^test-(tokens|folding|sqli|html5)-/.exec(file)?.[1] as VectorKind | undefined;
  if (kind === undefined) throw new Error(`${file}: unknown test kind`);
  const t = text.indexOf("--TEST--\n");
  const i = text.indexOf("--INPUT--\n");
  const e = text.indexOf("--EXPECTED--");
  if (t < 0 || i < t || e < i) throw new Error(`${file}: missing --TEST--, --INPUT-- or --EXPECTED--`);
  const inputEnd = e > 0 && text[e - 1] === "\n" ? e - 1 : e;
  return {
    file,
    kind,
    description: text.slice(t + 9, i).trim(),
    input: text.slice(i + 10, Math.max(i + 10, inputEnd)),
    expected: text
      .slice(e + 12)
      .replace(/^\n/, "")
      .trimEnd(),
  };
}

/** Every vector file of the vendored folder, sorted by name. */
export function loadVectors(): Vector[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.startsWith("test-") && f.endsWith(".txt"))
    .sort()
    .map((f) => parseVector(f, readFileSync(new URL(f, VECTOR_DIR), "latin1")));
}

const detector = new SqliDetector();

/** One SQL token as libinjection's test driver prints it: type, space, value (quotes, `@`s). */
function printToken(t: TokenStore, i: number): string {
  const type = t.type[i]!;
  let value = t.value(i);
  if (type === T_STRING || type === T_VARIABLE) {
    const open = t.open[i] ? String.fromCharCode(t.open[i]!) : "";
    const close = t.close[i] ? String.fromCharCode(t.close[i]!) : "";
    value = open + value + close;
    if (type === T_VARIABLE) value = "@".repeat(t.count[i]!) + value;
  }
  return `${String.fromCharCode(type)} ${value}`;
}

/** The raw SQL token stream of `input` (as-is, ANSI), one printed token per line. */
export function sqlTokenLines(input: string): string[] {
  const out: string[] = [];
  detector.tokenizer.reset(input, QUOTE_NONE, false);
  while (detector.tokenizer.next(0)) out.push(printToken(detector.tokens, 0));
  return out;
}

/** The folded SQL tokens of `input` (as-is, ANSI), one printed token per line. */
export function sqlFoldedLines(input: string): string[] {
  detector.tokenizer.reset(input, QUOTE_NONE, false);
  const n = detector.fold();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(printToken(detector.tokens, i));
  return out;
}

/** HTML5 tokens of `input` read as page text: `TYPE,length,bytes` per line. */
export function html5TokenLines(input: string): string[] {
  const h = new Html5Tokenizer();
  h.reset(input, 0);
  const out: string[] = [];
  while (h.next()) out.push(`${HTML5_TOKEN_NAMES[h.type]},${h.len},${input.slice(h.start, h.start + h.len)}`);
  return out;
}

/** What Palisade's detectors print for a vector, in the format of its EXPECTED section. */
export function actualOutput(v: Vector): string {
  switch (v.kind) {
    case "tokens":
      return sqlTokenLines(v.input).join("\n").trimEnd();
    case "folding":
      return sqlFoldedLines(v.input).join("\n").trimEnd();
    case "sqli":
      return detectSQLi(v.input).fingerprint;
    case "html5":
      return html5TokenLines(v.input).join("\n").trimEnd();
  }
}
