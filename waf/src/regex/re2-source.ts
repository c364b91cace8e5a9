import { INFINITE, type ByteSet, type RegexNode } from "./ast.js";

/**
 * Writes a parsed pattern in RE2's syntax, with every flag already applied: letters under
 * `(?i)` are classes, `.` is an explicit class, classes list their bytes as `\x{HH}` ranges
 * (code points U+0000–U+00FF, which is how a byte string reaches RE2 through node-re2's UTF-8
 * conversion), `^`/`$` are RE2's multi-line forms. Capturing groups keep their numbers.
 */
export function toRe2Source(node: RegexNode): string {
  switch (node.kind) {
    case "empty":
      return "";
    case "char":
      return byte(node.code);
    case "class":
      return classSource(node.set);
    case "seq":
      return node.items.map((i) => (i.kind === "alt" ? `(?:${toRe2Source(i)})` : toRe2Source(i))).join("");
    case "alt":
      return node.items.map(toRe2Source).join("|");
    case "group":
      return node.capture ? `(${toRe2Source(node.body)})` : `(?:${toRe2Source(node.body)})`;
    case "repeat": {
      const body = node.body;
      const simple = body.kind === "char" || body.kind === "class" || body.kind === "group";
      const inner = simple ? toRe2Source(body) : `(?:${toRe2Source(body)})`;
      let q: string;
      if (node.min === 0 && node.max === INFINITE) q = "*";
      else if (node.min === 1 && node.max === INFINITE) q = "+";
      else if (node.min === 0 && node.max === 1) q = "?";
      else if (node.max === INFINITE) q = `{${node.min},}`;
      else if (node.min === node.max) q = `{${node.min}}`;
      else q = `{${node.min},${node.max}}`;
      return inner + q + (node.lazy ? "?" : "");
    }
    case "assert":
      switch (node.what) {
        case "bol":
          return "(?m:^)";
        case "eol":
          return "(?m:$)";
        case "begin":
          return "\\A";
        case "end":
          return "\\z";
        case "endnl":
          return "(?:\\n?\\z)";
        case "word":
          return "\\b";
        case "nonword":
          return "\\B";
      }
  }
}

function byte(code: number): string {
  if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))
    return String.fromCharCode(code);
  return `\\x{${code.toString(16).padStart(2, "0")}}`;
}

function classSource(set: ByteSet): string {
  let count = 0;
  let only = -1;
  for (let b = 0; b < 256; b++)
    if (set[b]) {
      count++;
      only = b;
    }
  if (count === 0) return "[^\\x{00}-\\x{10ffff}]";
  if (count === 1) return byte(only);
  let out = "[";
  let b = 0;
  while (b < 256) {
    if (!set[b]) {
      b++;
      continue;
    }
    let e = b;
    while (e + 1 < 256 && set[e + 1]) e++;
    out += e === b ? byte(b) : e === b + 1 ? byte(b) + byte(e) : `${byte(b)}-${byte(e)}`;
    b = e + 1;
  }
  return `${out}]`;
}
