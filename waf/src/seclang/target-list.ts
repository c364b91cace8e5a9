import { type SourceLocation, WafError } from "../errors.js";

/**
 * One target of a rule as written (ModSecurity reference manual, "Variables"): a collection or
 * variable name (upper-cased), optionally negated (`!ARGS:foo`, an exclusion) or counted
 * (`&ARGS`), with a selector: a key (`ARGS:id`), a regular expression (`ARGS:/^id_/`) or, for
 * `XML`, an XPath expression (`XML:/*`).
 */
export interface TargetSpec {
  readonly name: string;
  readonly exclude: boolean;
  readonly count: boolean;
  readonly selector:
    | { readonly kind: "key"; readonly key: string }
    | { readonly kind: "regex"; readonly source: string }
    | null;
}

/**
 * Parses `ARGS|!ARGS:foo|REQUEST_HEADERS:/^x-/|&TX:score|XML:/*`.
 * @throws WafError SECLANG_SYNTAX on an empty target or an unterminated regular expression.
 */
export function parseTargetList(text: string, loc: SourceLocation): TargetSpec[] {
  const out: TargetSpec[] = [];
  const n = text.length;
  let i = 0;
  while (i <= n) {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
    let exclude = false;
    let count = false;
    if (text[i] === "!") {
      exclude = true;
      i++;
    } else if (text[i] === "&") {
      count = true;
      i++;
    }
    let j = i;
    while (j < n && text[j] !== ":" && text[j] !== "|") j++;
    const name = text.slice(i, j).trim().toUpperCase();
    if (name === "") throw new WafError("SECLANG_SYNTAX", `empty target in "${text}"`, { loc });
    let selector: TargetSpec["selector"] = null;
    if (text[j] === ":") {
      j++;
      if (text[j] === "/" && name !== "XML") {
        // A regular expression: runs to the `/` that ends the target.
        let k = j + 1;
        for (;;) {
          if (k >= n) throw new WafError("SECLANG_SYNTAX", `unterminated /regex/ selector in "${text}"`, { loc });
          if (text[k] === "\\") {
            k += 2;
            continue;
          }
          if (text[k] === "/" && (k + 1 >= n || text[k + 1] === "|")) break;
          k++;
        }
        selector = { kind: "regex", source: text.slice(j + 1, k) };
        j = k + 1;
      } else if (text[j] === "'") {
        const end = text.indexOf("'", j + 1);
        if (end < 0) throw new WafError("SECLANG_SYNTAX", `unterminated quoted selector in "${text}"`, { loc });
        selector = { kind: "key", key: text.slice(j + 1, end) };
        j = end + 1;
      } else {
        const start = j;
        while (j < n && text[j] !== "|") j++;
        selector = { kind: "key", key: text.slice(start, j).trim() };
      }
    }
    out.push({ name, exclude, count, selector });
    if (j >= n) break;
    if (text[j] !== "|") throw new WafError("SECLANG_SYNTAX", `expected | after a target in "${text}"`, { loc });
    i = j + 1;
  }
  return out;
}
