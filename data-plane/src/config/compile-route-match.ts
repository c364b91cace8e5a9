import type { FieldMatch, Route } from "@palisade/proto";
import { normalizePath } from "../router/path.js";
import { compileRegexPath, compileTemplate, PathPatternError } from "../router/path-pattern.js";
import { FieldCondition, type FieldMatchSpec, type FieldSource, RouteConditions } from "../router/route-conditions.js";
import type { PathSpec } from "../router/router.js";
import type { CompileError } from "./compile-error.js";

// RFC 9110 §5.6.2 token: header and cookie names (RFC 6265 §4.1.1 cookie-name is a token).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A route's path matchers: exact and prefix paths canonical (as the control plane checks them),
 * template and regex paths compiled (router/path-pattern.ts). `strip_prefix` and
 * `prefix_rewrite` cut a matched prefix, which a template or regex path does not have: a route
 * with both is refused rather than forwarded with a guessed path.
 * @param bad makes the RESOURCE_INVALID error naming the route
 * @throws CompileError for a path that is not canonical, a bad template, a regex RE2 refuses, a
 *   pattern path with `strip_prefix` or `prefix_rewrite`
 */
export function compileRoutePaths(r: Route, bad: (msg: string) => CompileError): PathSpec[] {
  if (r.stripPrefix || r.prefixRewrite !== "") {
    const at = r.paths.findIndex((p) => p.kind.case === "regex" || p.kind.case === "template");
    if (at !== -1) throw bad(`paths[${at}]: strip_prefix and prefix_rewrite apply to exact and prefix paths only`);
  }
  return r.paths.map((p, i) => {
    const kind = p.kind.case;
    if (kind === undefined) throw bad(`paths[${i}]: no path kind is set (exact, prefix, template, regex)`);
    try {
      if (kind === "regex") {
        return Object.freeze({ kind, value: p.kind.value, pattern: compileRegexPath(p.kind.value, r.caseSensitive) });
      }
      // A template is canonical once each variable stands for a plain segment.
      const raw = p.kind.value;
      const probe = kind === "template" ? raw.replace(/\{[^/]*\}/g, "x") : raw;
      const value = normalizePath(probe);
      if (value === undefined || (kind === "template" && value !== probe))
        throw bad(`paths[${i}]: "${raw}" must start with "/" and have no dot or empty segment`);
      if (kind === "template")
        return Object.freeze({ kind, value: raw, pattern: compileTemplate(raw, r.caseSensitive) });
      return Object.freeze({ kind, value });
    } catch (err) {
      if (err instanceof PathPatternError) throw bad(`paths[${i}].${kind}: ${err.message}`);
      throw err;
    }
  });
}

/**
 * A route's header, query and cookie conditions, or null when it has none.
 * @throws CompileError for a missing or invalid name, an unset kind, a regex RE2 refuses
 */
export function compileRouteConditions(r: Route, bad: (msg: string) => CompileError): RouteConditions | null {
  if (r.headers.length + r.query.length + r.cookies.length === 0) return null;
  const conditions: FieldCondition[] = [];
  const read = (list: readonly FieldMatch[], source: FieldSource, field: string) => {
    list.forEach((m, i) => {
      const at = `${field}[${i}]`;
      if (m.name === "" || (source !== "query" && !TOKEN.test(m.name)))
        throw bad(`${at}.name: "${m.name}" is not a name`);
      const k = m.kind;
      if (k.case === undefined) throw bad(`${at}: no match kind is set (exact, prefix, regex, present)`);
      const spec: FieldMatchSpec = {
        source,
        name: source === "header" ? m.name.toLowerCase() : m.name,
        kind: k.case === "present" ? (k.value ? "present" : "absent") : k.case,
        value: k.case === "present" ? "" : k.value,
      };
      try {
        conditions.push(new FieldCondition(spec));
      } catch (err) {
        if (err instanceof PathPatternError) throw bad(`${at}.regex: ${err.message}`);
        throw err;
      }
    });
  };
  read(r.headers, "header", "headers");
  read(r.query, "query", "query");
  read(r.cookies, "cookie", "cookies");
  return new RouteConditions(conditions);
}
