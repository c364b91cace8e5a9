/**
 * Wazuh's regular expression dialects as JavaScript RegExps, for the small Wazuh evaluator that
 * tests deploy/wazuh (not a general implementation; see README "Wazuh"):
 *
 * - `osregex` (OS_Regex, the default of prematch, regex and field): `\w \d \s \t \p \W \D \S \.`,
 *   the `+` and `*` modifiers, `^`, `$`, `|` between whole patterns, `(…)` captures, `\` escapes of
 *   `$ ( ) \ | <`; every other character is literal. Case-insensitive, as Wazuh compiles it
 *   without OS_CASE_SENSITIVE. Difference kept on purpose: JavaScript backtracks where OS_Regex's
 *   modifiers may not; the patterns in deploy/wazuh do not depend on it (each `\S+` is followed
 *   by a space, which `\S` cannot match).
 * - `osmatch` (OS_Match, "sregex", the default of `<match>`): literal text with `^`, `$` and `|`,
 *   case-insensitive.
 * - `pcre2`: the pattern itself (the features used here mean the same in PCRE2 and JavaScript).
 */

/** A Wazuh expression type. */
export type ExpressionType = "osregex" | "osmatch" | "pcre2";

const CLASSES: Record<string, string> = {
  w: "[A-Za-z0-9@_-]",
  d: "[0-9]",
  s: " ",
  t: "\\t",
  p: "[()*+,\\-.:;<=>?[\\]!\"'#$%&|{}]",
  W: "[^A-Za-z0-9@_-]",
  D: "[^0-9]",
  S: "[^ ]",
  ".": "[\\s\\S]",
};
const ESCAPABLE = new Set(["$", "(", ")", "\\", "|", "<"]);

function literal(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function osRegexBranch(p: string): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\") {
      const n = p[++i];
      if (n === undefined) throw new Error(`osregex: trailing \\ in ${p}`);
      if (CLASSES[n] !== undefined) out += CLASSES[n];
      else if (ESCAPABLE.has(n)) out += literal(n);
      else throw new Error(`osregex: \\${n} is not part of the supported dialect (${p})`);
    } else if (c === "+" || c === "*") {
      out += c;
    } else if (c === "(" || c === ")") {
      out += c;
    } else if (c === "^" && i === 0) {
      out += "^";
    } else if (c === "$" && i === p.length - 1) {
      out += "$";
    } else {
      out += literal(c);
    }
  }
  return out;
}

/** Splits on `|` not preceded by a backslash. */
function branches(p: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "\\" && i + 1 < p.length) {
      cur += p[i]! + p[i + 1]!;
      i++;
    } else if (p[i] === "|") {
      out.push(cur);
      cur = "";
    } else cur += p[i]!;
  }
  out.push(cur);
  return out;
}

/**
 * Compiles a Wazuh expression.
 * @throws Error for syntax outside the supported subset (never a silent guess)
 */
export function compileExpression(pattern: string, type: ExpressionType = "osregex"): RegExp {
  switch (type) {
    case "pcre2":
      return new RegExp(pattern);
    case "osmatch":
      return new RegExp(
        branches(pattern)
          .map((b) => {
            const start = b.startsWith("^");
            const end = b.endsWith("$") && !b.endsWith("\\$");
            const body = b.slice(start ? 1 : 0, end ? -1 : undefined);
            return `${start ? "^" : ""}${[...body].map(literal).join("")}${end ? "$" : ""}`;
          })
          .join("|"),
        "i",
      );
    case "osregex":
      return new RegExp(branches(pattern).map(osRegexBranch).join("|"), "i");
  }
}
