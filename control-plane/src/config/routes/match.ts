import { create } from "@bufbuild/protobuf";
import { type FieldMatch, FieldMatchSchema, type PathMatch, PathMatchSchema } from "@palisade/proto";
import RE2 from "re2";
import { DomainError } from "../../errors.js";

/**
 * Route matchers beyond hosts, paths and methods (issue 22): template and regex paths, and
 * header, query and cookie conditions. The JSON Schema fragments of the route body, the
 * semantic checks (one kind per condition, RE2 regexes, whole-segment template variables), and
 * their proto mapping. Precedence is the nodes' (data-plane README, "Route precedence").
 */

/** A regex as written in a route: RE2 syntax, matched against the whole value. */
const regex = {
  type: "string",
  minLength: 1,
  maxLength: 1024,
  description: "RE2 expression matched against the whole value (linear time; no look-around or back-references)",
} as const;

/** A value compared with. */
const value = { type: "string", maxLength: 4096 } as const;

/** `{regex}` and `{template}` path forms of the route body's `paths` items. */
export const patternPathSchemas = [
  { type: "object", required: ["regex"], additionalProperties: false, properties: { regex } },
  {
    type: "object",
    required: ["template"],
    additionalProperties: false,
    properties: {
      template: {
        type: "string",
        minLength: 1,
        maxLength: 1024,
        pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/{}-]*$",
        description: "literal segments and whole-segment variables: /users/{id}",
      },
    },
  },
] as const;

function conditionList(name: object, what: string) {
  return {
    type: "array",
    maxItems: 16,
    description: `${what} the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent`,
    items: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name,
        exact: value,
        prefix: value,
        regex,
        present: { type: "boolean", const: true },
        absent: { type: "boolean", const: true },
      },
    },
  } as const;
}

const token = { type: "string", pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" } as const;

/** The route body's `headers`, `query` and `cookies` members. */
export const conditionSchemas = {
  headers: conditionList(token, "request headers"),
  query: conditionList({ type: "string", minLength: 1, maxLength: 128 }, "query parameters (decoded names and values)"),
  cookies: conditionList(token, "cookies"),
} as const;

const KINDS = ["exact", "prefix", "regex", "present", "absent"] as const;

/** A condition of the route body. */
interface ConditionBody {
  name: string;
  exact?: string;
  prefix?: string;
  regex?: string;
  present?: true;
  absent?: true;
}

/**
 * Why RE2 refuses `source` (invalid, or a construct that needs backtracking: back-references,
 * look-ahead, look-behind), or undefined when it compiles. The nodes run it with the same RE2.
 */
export function re2Problem(source: string): string | undefined {
  try {
    new RE2(source, "");
    return undefined;
  } catch (err) {
    return `not a linear-time (RE2) regular expression: ${(err as Error).message}`;
  }
}

const VARIABLE = /^\{[A-Za-z_][A-Za-z0-9_.-]{0,63}\}$/;

/** Why a template path is refused, or undefined. */
function templateProblem(t: string): string | undefined {
  const names = new Set<string>();
  for (const seg of t.split("/").slice(1)) {
    if (!seg.includes("{") && !seg.includes("}")) continue;
    if (!VARIABLE.test(seg))
      return `"${seg}": a variable is a whole segment named with letters, digits, _ . - ("/{id}/")`;
    if (names.has(seg)) return `variable ${seg} appears twice`;
    names.add(seg);
  }
  return names.size === 0 ? "a template needs at least one {variable} (else use exact)" : undefined;
}

/** The path value the generic path checks see for a template: each variable as a plain segment. */
export function templateProbe(t: string): string {
  return t.replace(/\{[^/]*\}/g, "x");
}

/**
 * Semantic checks of a route body's pattern paths and conditions: a regex RE2 refuses, a bad
 * template, a condition without exactly one kind, `strip_prefix`/`prefix_rewrite` with a
 * pattern path (they cut a matched prefix a pattern does not have).
 * @param at prefix of the field named (`""` on a write, `routes.<name>.` at publish)
 * @throws DomainError VALIDATION_FAILED naming the field (`paths.0.regex`, `headers.1.regex`)
 */
export function checkRouteMatchers(body: Record<string, unknown>, at = ""): void {
  const paths = (body.paths as unknown[] | undefined) ?? [];
  paths.forEach((p, i) => {
    if (typeof p !== "object" || p === null) return;
    const o = p as { regex?: string; template?: string };
    const problem =
      o.regex !== undefined ? re2Problem(o.regex) : o.template !== undefined ? templateProblem(o.template) : undefined;
    if (problem !== undefined)
      throw new DomainError(
        "VALIDATION_FAILED",
        problem,
        `${at}paths.${i}.${o.regex !== undefined ? "regex" : "template"}`,
      );
    if ((o.regex !== undefined || o.template !== undefined) && (body.strip_prefix === true || body.prefix_rewrite))
      throw new DomainError(
        "VALIDATION_FAILED",
        "strip_prefix and prefix_rewrite apply to exact and prefix paths only",
        `${at}paths.${i}`,
      );
  });
  for (const list of ["headers", "query", "cookies"] as const) {
    ((body[list] as ConditionBody[] | undefined) ?? []).forEach((c, i) => {
      const kinds = KINDS.filter((k) => c[k] !== undefined);
      if (kinds.length !== 1)
        throw new DomainError(
          "VALIDATION_FAILED",
          `${list}.${i} needs exactly one of ${KINDS.join(", ")}`,
          `${at}${list}.${i}`,
        );
      if (c.regex !== undefined) {
        const problem = re2Problem(c.regex);
        if (problem !== undefined) throw new DomainError("VALIDATION_FAILED", problem, `${at}${list}.${i}.regex`);
      }
    });
  }
}

/** The proto path of a `{regex}` or `{template}` path item, or undefined for the other forms. */
export function toPatternPathMatch(p: { regex?: string; template?: string }): PathMatch | undefined {
  if (p.regex !== undefined) return create(PathMatchSchema, { kind: { case: "regex", value: p.regex } });
  if (p.template !== undefined) return create(PathMatchSchema, { kind: { case: "template", value: p.template } });
  return undefined;
}

/** The proto conditions of a route body: `headers`, `query`, `cookies` (empty lists when absent). */
export function toConditions(body: { headers?: ConditionBody[]; query?: ConditionBody[]; cookies?: ConditionBody[] }): {
  headers: FieldMatch[];
  query: FieldMatch[];
  cookies: FieldMatch[];
} {
  const map = (list: ConditionBody[] | undefined) =>
    (list ?? []).map((c) =>
      create(FieldMatchSchema, {
        name: c.name,
        kind:
          c.exact !== undefined
            ? { case: "exact", value: c.exact }
            : c.prefix !== undefined
              ? { case: "prefix", value: c.prefix }
              : c.regex !== undefined
                ? { case: "regex", value: c.regex }
                : { case: "present", value: c.present === true },
      }),
    );
  return { headers: map(body.headers), query: map(body.query), cookies: map(body.cookies) };
}

/** Whether a route body uses a matcher older nodes ignore (feature `route-matchers`, see featuresOf). */
export function usesRouteMatchers(body: Record<string, unknown>): boolean {
  const listed = (k: string) => Array.isArray(body[k]) && (body[k] as unknown[]).length > 0;
  if (listed("headers") || listed("query") || listed("cookies")) return true;
  return ((body.paths as unknown[] | undefined) ?? []).some(
    (p) => typeof p === "object" && p !== null && ("regex" in p || "template" in p),
  );
}
