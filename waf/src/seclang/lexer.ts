import { type SourceLocation, WafError } from "../errors.js";

/** One logical directive line: its words (quotes removed) and where it starts. */
export interface DirectiveLine {
  readonly words: readonly string[];
  readonly loc: SourceLocation;
}

/**
 * Splits a configuration file into logical directive lines the way Apache reads one (and
 * ModSecurity with it): a line that ends with a backslash continues on the next line (the
 * backslash and the line break go, the next line's indentation stays); a logical line whose
 * first non-blank character is `#` is a comment; blank lines are skipped. CRLF line ends are
 * accepted.
 */
export function logicalLines(text: string, file: string): DirectiveLine[] {
  const out: DirectiveLine[] = [];
  const physical = text.split(/\r?\n/);
  let i = 0;
  while (i < physical.length) {
    const startLine = i + 1;
    let line = physical[i] ?? "";
    i++;
    for (let cut = continuation(line); cut >= 0 && i < physical.length; cut = continuation(line)) {
      line = line.slice(0, cut) + (physical[i] ?? "");
      i++;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const loc = { file, line: startLine };
    out.push({ words: splitWords(trimmed, loc), loc });
  }
  return out;
}

/** Where the continuation backslash of a line starts (a `\` followed only by white space), or -1. */
function continuation(line: string): number {
  let e = line.length - 1;
  while (e >= 0 && (line[e] === " " || line[e] === "\t")) e--;
  return e >= 0 && line[e] === "\\" ? e : -1;
}

/**
 * Splits a directive line into words: bare words end at white space; a word that starts with `"`
 * or `'` runs to the matching unescaped quote, and `\"` (or `\'`) inside it stands for the quote
 * itself. Every other backslash is kept as written, so regular expressions reach the operator
 * unchanged (CRS writes `\x5c` for a literal backslash and never `\\`).
 */
export function splitWords(line: string, loc: SourceLocation): string[] {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let word = "";
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new WafError("SECLANG_SYNTAX", `unterminated ${c}-quoted argument`, { loc });
        const d = line[j]!;
        if (d === "\\" && line[j + 1] === c) {
          word += c;
          j += 2;
          continue;
        }
        if (d === c) break;
        word += d;
        j++;
      }
      words.push(word);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n && line[j] !== " " && line[j] !== "\t") j++;
    words.push(line.slice(i, j));
    i = j;
  }
  return words;
}
