import { type SourceLocation, WafError } from "../errors.js";

/** One action as written: `name` or `name:value` (quotes removed). Names are lower-cased. */
export interface ActionSpec {
  readonly name: string;
  readonly value: string | undefined;
}

/**
 * Parses a SecLang action list (`id:1,phase:2,t:none,msg:'a, b',setvar:'tx.x=+1'`): actions are
 * separated by commas; a value in single quotes may hold commas and `\'` stands for a quote
 * (ModSecurity reference manual, "Actions"). White space around actions is ignored, as the
 * continuation lines of CRS leave indentation between them.
 * @throws WafError SECLANG_SYNTAX on an unterminated quote or an empty action name.
 */
export function parseActionList(text: string, loc: SourceLocation): ActionSpec[] {
  const out: ActionSpec[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(text[i]!)) i++;
    if (i >= n) break;
    if (text[i] === ",") {
      i++;
      continue;
    }
    let j = i;
    while (j < n && text[j] !== ":" && text[j] !== ",") j++;
    const name = text.slice(i, j).trim().toLowerCase();
    if (name === "") throw new WafError("SECLANG_SYNTAX", `empty action name in "${text}"`, { loc });
    if (j >= n || text[j] === ",") {
      out.push({ name, value: undefined });
      i = j + 1;
      continue;
    }
    // text[j] === ":"
    j++;
    while (j < n && isBlank(text[j]!)) j++;
    let value: string;
    if (text[j] === "'") {
      value = "";
      j++;
      for (;;) {
        if (j >= n) throw new WafError("SECLANG_SYNTAX", `unterminated quote in action ${name}`, { loc });
        const c = text[j]!;
        if (c === "\\" && text[j + 1] === "'") {
          value += "'";
          j += 2;
          continue;
        }
        if (c === "'") {
          j++;
          break;
        }
        value += c;
        j++;
      }
      // Anything between the closing quote and the next comma is an error.
      while (j < n && isBlank(text[j]!)) j++;
      if (j < n && text[j] !== ",")
        throw new WafError("SECLANG_SYNTAX", `unexpected text after the quoted value of ${name}`, { loc });
    } else {
      const start = j;
      while (j < n && text[j] !== ",") j++;
      value = text.slice(start, j).trim();
    }
    out.push({ name, value });
    i = j + 1;
  }
  return out;
}

function isBlank(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}
