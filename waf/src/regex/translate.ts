/**
 * Rewrites a PCRE pattern (already validated by parsePcre) into RE2 syntax with the same meaning
 * on byte strings, prefixed with ModSecurity v3's @rx flags `(?sm)`:
 * - `\s` is PCRE2's (HT, LF, VT, FF, CR, space; RE2's lacks VT), `\h`/`\v`/`\R` become classes,
 *   `\Z` becomes `(?:\n?\z)`, `\e`/`\cX` become `\x{..}`;
 * - possessive quantifiers lose their `+` and atomic groups become non-capturing (on a boolean
 *   match the answer is the same for the patterns CRS writes; parsePcre reports them);
 * - `(?#…)` comments go, `\Q…\E` is escaped.
 * Everything else (`(?i)`, `(?i:…)`, `\x{..}`, `\z`, `\A`, `\b`, POSIX classes, lazy
 * quantifiers) is RE2 syntax already and is kept as written.
 */
export function toRe2(pattern: string): string {
  let out = "(?sm)";
  let inClass = false;
  let classStart = -1;
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i]!;
    if (c === "\\") {
      const e = pattern[i + 1] ?? "";
      const rep = inClass ? CLASS_ESCAPES[e] : ESCAPES[e];
      if (rep !== undefined) {
        out += rep;
        i += 2;
        continue;
      }
      if (e === "c") {
        const x = pattern[i + 2] ?? "@";
        out += hex(x.toUpperCase().charCodeAt(0) ^ 0x40);
        i += 3;
        continue;
      }
      if (e === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        const text = pattern.slice(i + 2, end < 0 ? n : end);
        for (const ch of text) out += /[A-Za-z0-9]/.test(ch) ? ch : hex(ch.charCodeAt(0));
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (e === "E") {
        i += 2;
        continue;
      }
      out += c + e;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        if (end > 0) {
          out += pattern.slice(i, end + 2);
          i = end + 2;
          continue;
        }
      }
      if (c === "]" && i > classStart + 1 && !(i === classStart + 2 && pattern[classStart + 1] === "^"))
        inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classStart = i;
      out += c;
      i++;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      if (pattern[i + 2] === ">") {
        out += "(?:";
        i += 3;
        continue;
      }
      if (pattern[i + 2] === "#") {
        const end = pattern.indexOf(")", i);
        i = end < 0 ? n : end + 1;
        continue;
      }
    }
    if (c === "+" && i > 0 && isQuantifierEnd(pattern, i - 1)) {
      // Possessive: x*+ x++ x?+ x{n,m}+ → greedy.
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Whether `pattern[at]` ends a quantifier (so a `+` after it is possessive). */
function isQuantifierEnd(pattern: string, at: number): boolean {
  const c = pattern[at];
  if (c !== "*" && c !== "+" && c !== "?" && c !== "}") return false;
  // An escaped char is a literal, not a quantifier.
  let backslashes = 0;
  for (let k = at - 1; k >= 0 && pattern[k] === "\\"; k--) backslashes++;
  if (backslashes % 2 === 1) return false;
  if (c === "}") return /\{\d+(?:,\d*)?$/.test(pattern.slice(Math.max(0, at - 12), at));
  // `x++` where the first `+` is itself possessive's: only when the char before is a quantifiable atom.
  if (c === "?" && pattern[at - 1] === "(") return false;
  return at > 0 && pattern[at - 1] !== "(" && pattern[at - 1] !== "|";
}

function hex(code: number): string {
  return `\\x{${code.toString(16).padStart(2, "0")}}`;
}

/** Escapes outside a class that RE2 reads differently from PCRE2 (or not at all). */
const ESCAPES: Record<string, string> = {
  s: "[\\t-\\r ]",
  S: "[^\\t-\\r ]",
  h: "[\\t \\x{a0}]",
  H: "[^\\t \\x{a0}]",
  v: "[\\n-\\r\\x{85}]",
  V: "[^\\n-\\r\\x{85}]",
  R: "(?:\\r\\n|[\\n-\\r\\x{85}])",
  Z: "(?:\\n?\\z)",
  e: "\\x{1b}",
};

/** The same inside a class (negated forms cannot be spliced into a class: RE2's own are kept). */
const CLASS_ESCAPES: Record<string, string> = {
  s: "\\t-\\r ",
  h: "\\t \\x{a0}",
  v: "\\n-\\r\\x{85}",
  e: "\\x{1b}",
};
