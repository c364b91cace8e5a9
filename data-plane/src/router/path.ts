/**
 * Path normalization before routing (RFC 3986 §6.2.2). A request is matched, authenticated and
 * forwarded with the same path, so an upstream cannot read a different path than the one the
 * route and its policies saw:
 *
 * - percent-encoded unreserved characters are decoded (`%7E` → `~`, `/ech%6F` → `/echo`) and the
 *   hex digits of the remaining escapes are upper-cased (§6.2.2.1, §6.2.2.2);
 * - ambiguous paths are refused, never resolved: dot segments (`/a/../b`, also `%2E`-encoded,
 *   §5.2.4), empty segments (`//`), backslashes, `#`, `;` (a path parameter delimiter for Tomcat,
 *   Jetty and Spring: `/admin;/x` and `/..;/` reach other resources there), control characters,
 *   malformed escapes, and escapes that an upstream may decode into a delimiter: `%2F` `%5C`
 *   `%3B` `%3F` `%23` `%25` (double encoding) and `%00`–`%1F`, `%7F` (Envoy CVE-2019-9901,
 *   Traefik CVE-2025-66490; the cases C01, C03 and C07);
 * - escaped bytes ≥ 0x80 must form valid UTF-8 (no overlong forms such as `%C0%AE` for `.`).
 */

// After decoding: a "." or ".." segment, an empty segment, a backslash, a fragment or a `;`.
const AMBIGUOUS = /\/\.{1,2}(?:\/|$)|\/\/|[\\#;]/;

/** Escaped bytes that stay encoded but that upstreams decode into delimiters or controls. */
function isForbiddenEscape(c: number): boolean {
  return c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c || c === 0x3b || c === 0x3f || c === 0x23 || c === 0x25;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** True when `s` has a control character, a space or DEL. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e
  );
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const HEX = "0123456789ABCDEF";

function validUtf8(bytes: number[]): boolean {
  try {
    UTF8.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/**
 * Normalizes an absolute path (no query).
 * @param path must start with "/"
 * @returns the normalized path, or `undefined` when the path is malformed or ambiguous
 */
export function normalizePath(path: string): string | undefined {
  if (path.charCodeAt(0) !== 0x2f) return undefined;
  let out = path;
  if (path.includes("%")) {
    out = "";
    let from = 0;
    let utf8: number[] | undefined;
    for (let i = path.indexOf("%"); i !== -1; i = path.indexOf("%", from)) {
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      const c = hi * 16 + lo;
      if (isForbiddenEscape(c)) return undefined;
      if (c >= 0x80) {
        // A run of adjacent escaped bytes must decode as UTF-8 on its own.
        if (utf8 !== undefined && i !== from) {
          if (!validUtf8(utf8)) return undefined;
          utf8 = undefined;
        }
        utf8 ??= [];
        utf8.push(c);
      } else if (utf8 !== undefined) {
        if (!validUtf8(utf8)) return undefined;
        utf8 = undefined;
      }
      out += path.slice(from, i) + (isUnreserved(c) ? String.fromCharCode(c) : `%${HEX[hi]}${HEX[lo]}`);
      from = i + 3;
    }
    if (utf8 !== undefined && !validUtf8(utf8)) return undefined;
    out += path.slice(from);
  }
  return AMBIGUOUS.test(out) || hasControl(out) ? undefined : out;
}

/**
 * Splits a request-target into its normalized path and raw query (`""` or `"?..."`, passed on
 * untouched). Only origin-form (`/path?query`) is accepted: absolute-form and `*` are refused.
 * @returns `undefined` for a malformed target
 */
export function splitRequestTarget(url: string): { readonly path: string; readonly query: string } | undefined {
  const q = url.indexOf("?");
  const path = normalizePath(q === -1 ? url : url.slice(0, q));
  if (path === undefined) return undefined;
  return { path, query: q === -1 ? "" : url.slice(q) };
}
