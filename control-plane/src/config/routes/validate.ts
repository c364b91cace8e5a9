import { DomainError } from "../../errors.js";
import type { StoredResource } from "../../store/store.js";
import type { DraftIndex } from "../draft-index.js";
import { templateProbe } from "./match.js";

/**
 * Semantic checks of a route body that JSON Schema cannot express. Each throws
 * `DomainError("VALIDATION_FAILED", message, field)` naming the field at fault.
 */

const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
// Nodes refuse request paths with a segment ending in "." or a space (Windows drops them), so a
// route path with one could never be reached.
const TRAILING_DOT_OR_SPACE = /(\.|%20)(\/|$)/;

/**
 * A route path must already be canonical, as nodes canonicalize request paths before
 * matching: no dot segments, no empty segments (RFC 3986 §5.2.4), no segment ending in `.` or
 * `%20` (Windows drops them, so nodes refuse such request paths), no `;`, and
 * percent-encoding only for bytes that are not unreserved (RFC 3986 §2.3: `%41` must be `A`).
 */
export function checkRoutePaths(paths: unknown[] | undefined): void {
  (paths ?? []).forEach((p, i) => {
    // A regex is not a path (checkRouteMatchers checks it); a template is one once each variable is a segment.
    if (typeof p === "object" && p !== null && "regex" in p) return;
    const raw = typeof p === "string" ? p : (Object.values(p as object)[0] as string);
    const value = typeof p === "object" && p !== null && "template" in p ? templateProbe(raw) : raw;
    const field = `paths.${i}`;
    if (DOT_SEGMENT.test(value))
      throw new DomainError("VALIDATION_FAILED", "paths must not contain dot segments", field);
    if (value.includes("//"))
      throw new DomainError("VALIDATION_FAILED", "paths must not contain empty segments", field);
    if (TRAILING_DOT_OR_SPACE.test(value))
      throw new DomainError("VALIDATION_FAILED", "path segments must not end in '.' or a space", field);
    if (value.includes(";")) throw new DomainError("VALIDATION_FAILED", "paths must not contain ';'", field);
    for (const m of value.matchAll(/%(.{0,2})/g)) {
      const hex = m[1] ?? "";
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw new DomainError("VALIDATION_FAILED", "invalid percent-encoding in path", field);
      const code = Number.parseInt(hex, 16);
      const c = String.fromCharCode(code);
      if (/[A-Za-z0-9._~-]/.test(c))
        throw new DomainError("VALIDATION_FAILED", `write ${JSON.stringify(c)} instead of %${hex} (unreserved)`, field);
      if (c === "/" || c === "\\" || code < 0x20 || code === 0x7f)
        throw new DomainError("VALIDATION_FAILED", `paths must not contain an encoded ${JSON.stringify(c)}`, field);
    }
  });
}

/**
 * Route path options: `prefix_rewrite` must be canonical like the paths, and excludes
 * `strip_prefix` (which is the rewrite to "/").
 */
export function checkRouteRewrite(body: { strip_prefix?: boolean; prefix_rewrite?: string }): void {
  if (body.prefix_rewrite === undefined) return;
  if (body.strip_prefix)
    throw new DomainError("VALIDATION_FAILED", "give strip_prefix or prefix_rewrite, not both", "prefix_rewrite");
  try {
    checkRoutePaths([body.prefix_rewrite]);
  } catch (err) {
    if (err instanceof DomainError) throw new DomainError("VALIDATION_FAILED", err.message, "prefix_rewrite");
    throw err;
  }
}

/**
 * A route's overrides of the nodes' path refusal list (data-plane README, "Reading a request"):
 * `allow_encoded` may only name escapes refused by default that a route can allow (`%2F`, `%5C`,
 * `%01`-`%1F`, `%7F`; never `%00`), `refuse_encoded` only legal escapes of characters that are
 * not unreserved (nodes decode `%41` to `A`, so refusing it means nothing) and `;`, and no
 * escape may be in both.
 */
export function checkRouteEncoded(body: { allow_encoded?: string[]; refuse_encoded?: string[] }): void {
  const byte = (e: string) => Number.parseInt(e.slice(1), 16);
  const allowable = (b: number) => b === 0x2f || b === 0x5c || (b >= 0x01 && b < 0x20) || b === 0x7f;
  const allowed = new Set<number>();
  (body.allow_encoded ?? []).forEach((e, i) => {
    const b = byte(e);
    if (!allowable(b))
      throw new DomainError(
        "VALIDATION_FAILED",
        b === 0
          ? "%00 is always refused"
          : `${e.toUpperCase()} is forwarded by default: only %2F, %5C, %01-%1F and %7F can be allowed`,
        `allow_encoded.${i}`,
      );
    if (allowed.has(b)) throw new DomainError("VALIDATION_FAILED", "listed twice", `allow_encoded.${i}`);
    allowed.add(b);
  });
  const refused = new Set<string>();
  (body.refuse_encoded ?? []).forEach((e, i) => {
    const field = `refuse_encoded.${i}`;
    if (refused.has(e.toUpperCase())) throw new DomainError("VALIDATION_FAILED", "listed twice", field);
    refused.add(e.toUpperCase());
    if (e === ";") return;
    const b = byte(e);
    if (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)))
      throw new DomainError("VALIDATION_FAILED", `${e} is an unreserved character: nodes decode it`, field);
    if (allowed.has(b)) throw new DomainError("VALIDATION_FAILED", `${e} is also in allow_encoded`, field);
    if (allowable(b) || b === 0) throw new DomainError("VALIDATION_FAILED", `${e} is refused by default`, field);
  });
}

/** Kong requires at least one matcher; a route that matches everything must say so with path `/`. */
export function checkRouteHasMatcher(body: { hosts?: unknown[]; paths?: unknown[]; methods?: unknown[] }): void {
  if (!body.hosts?.length && !body.paths?.length && !body.methods?.length)
    throw new DomainError("VALIDATION_FAILED", "a route needs at least one of hosts, paths or methods", "paths");
}

/**
 * Refuses a route that names a missing upstream or policy (go-control-plane's snapshot
 * consistency check: no dangling references are served).
 * @throws DomainError REFERENCE_NOT_FOUND naming `routes.<name>.upstream` or `.policies`
 */
export function checkRouteReferences(r: StoredResource, index: DraftIndex): void {
  if (r.body.upstream !== undefined && !index.hasUpstream(r.body.upstream as string))
    throw new DomainError(
      "REFERENCE_NOT_FOUND",
      `route ${r.name} names a missing upstream`,
      `routes.${r.name}.upstream`,
    );
  for (const p of (r.body.policies as string[]) ?? [])
    if (!index.hasPolicy(p))
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        `route ${r.name} names a missing policy`,
        `routes.${r.name}.policies`,
      );
}
