import { readdirSync, readFileSync } from "node:fs";
import { detectSQLi } from "./sqli.js";
import { detectXSS } from "./xss.js";

/**
 * libinjection's corpora (`third_party/libinjection/data/`): `sqli-*.txt` and `xss-*.txt` hold
 * attacks (each line should be detected), `false_positives.txt` benign inputs that once were
 * flagged. Lines are URL-encoded query-string values (`data/README.md`); empty lines and `#`
 * comments are skipped.
 */

/** The vendored corpus folder. */
export const CORPUS_DIR = new URL("../../third_party/libinjection/data/", import.meta.url);

/** `%XX` → byte, `+` → space; a `%` not followed by two hex digits stays as it is. */
export function urlDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      out += " ";
    } else if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** One corpus line: as written in the file (URL-encoded), and decoded (a byte string). */
export interface CorpusLine {
  readonly raw: string;
  readonly input: string;
}

/** The lines of one corpus file, skipping empty lines and `#` comments. */
export function corpusLines(file: string): CorpusLine[] {
  return readFileSync(new URL(file, CORPUS_DIR), "latin1")
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((raw) => ({ raw, input: urlDecode(raw) }));
}

export interface CorpusResult {
  readonly file: string;
  /** Which detector judges the file. */
  readonly detector: "sqli" | "xss";
  readonly total: number;
  readonly detected: number;
  /** Lines not detected (attack files) or detected (the false-positive file). */
  readonly outliers: CorpusLine[];
}

function measure(file: string, detector: "sqli" | "xss", wantDetected: boolean): CorpusResult {
  const lines = corpusLines(file);
  const outliers: CorpusLine[] = [];
  let detected = 0;
  for (const line of lines) {
    const hit = detector === "sqli" ? detectSQLi(line.input).sqli : detectXSS(line.input);
    if (hit) detected++;
    if (hit !== wantDetected) outliers.push(line);
  }
  return { file, detector, total: lines.length, detected, outliers };
}

export interface CorporaReport {
  readonly sqli: CorpusResult[];
  readonly xss: CorpusResult[];
  /** `false_positives.txt` judged by detectSQLi and by detectXSS. */
  readonly falsePositives: { readonly sqli: CorpusResult; readonly xss: CorpusResult };
}

/** Runs every corpus file through its detector. */
export function measureCorpora(): CorporaReport {
  const files = readdirSync(CORPUS_DIR).sort();
  return {
    sqli: files.filter((f) => /^sqli-.*\.txt$/.test(f)).map((f) => measure(f, "sqli", true)),
    xss: files.filter((f) => /^xss-.*\.txt$/.test(f)).map((f) => measure(f, "xss", true)),
    falsePositives: {
      sqli: measure("false_positives.txt", "sqli", false),
      xss: measure("false_positives.txt", "xss", false),
    },
  };
}

/** Sum of totals and detections over files. */
export function overall(results: readonly CorpusResult[]): { total: number; detected: number } {
  let total = 0;
  let detected = 0;
  for (const r of results) {
    total += r.total;
    detected += r.detected;
  }
  return { total, detected };
}
