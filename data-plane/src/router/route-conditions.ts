import type RE2 from "re2";
import { compileLinearRegex } from "./path-pattern.js";

/**
 * What the router reads of a request beyond method, host and path, asked only for the routes
 * the host and path index already selected (see {@link RouteConditions}).
 */
export interface MatchRequest {
  /** The value of header `name` (lower case): one line's value, several lines joined with `", "` (RFC 9110 §5.3); undefined when absent. */
  header(name: string): string | undefined;
  /** The decoded value of query parameter `name`; `null` when it is sent more than once; undefined when absent. */
  query(name: string): string | null | undefined;
  /** The value of cookie `name`; `null` when it is sent more than once; undefined when absent. */
  cookie(name: string): string | null | undefined;
}

/** Where a condition looks. */
export type FieldSource = "header" | "query" | "cookie";

/** One condition as configured (proto `FieldMatch`, read by config/compile.ts). */
export interface FieldMatchSpec {
  readonly source: FieldSource;
  /** Header names are lower-cased by the caller. */
  readonly name: string;
  readonly kind: "exact" | "prefix" | "regex" | "present" | "absent";
  /** The value compared with (`exact`, `prefix`, `regex`); ignored for `present`/`absent`. */
  readonly value: string;
}

/** One compiled condition. */
export class FieldCondition {
  readonly #source: FieldSource;
  readonly #name: string;
  readonly #kind: FieldMatchSpec["kind"];
  readonly #value: string;
  readonly #re: RE2 | null;

  /** @throws PathPatternError for a regex RE2 refuses (invalid or not linear-time) */
  constructor(spec: FieldMatchSpec) {
    this.#source = spec.source;
    this.#name = spec.name;
    this.#kind = spec.kind;
    this.#value = spec.value;
    // The whole value must match, as Envoy's `safe_regex_match` on headers.
    this.#re = spec.kind === "regex" ? compileLinearRegex(`^(?:${spec.value})$`, "") : null;
  }

  test(req: MatchRequest): boolean {
    const v =
      this.#source === "header"
        ? req.header(this.#name)
        : this.#source === "query"
          ? req.query(this.#name)
          : req.cookie(this.#name);
    switch (this.#kind) {
      case "present":
        return v !== undefined;
      case "absent":
        return v === undefined;
      default:
        // A parameter or cookie sent twice matches no value: an upstream may read either copy,
        // so neither may choose the route (the project's rule for ambiguous requests).
        if (v === undefined || v === null) return false;
        if (this.#kind === "exact") return v === this.#value;
        if (this.#kind === "prefix") return v.startsWith(this.#value);
        return this.#re!.test(v);
    }
  }
}

/** A route's header, query and cookie conditions: all must hold. Built once at compile. */
export class RouteConditions {
  readonly #all: readonly FieldCondition[];
  /** Number of conditions (a route with more ranks first among otherwise equal matches). */
  readonly count: number;

  constructor(conditions: readonly FieldCondition[]) {
    this.#all = Object.freeze([...conditions]);
    this.count = conditions.length;
    Object.freeze(this);
  }

  /** Whether every condition holds for `req`. */
  test(req: MatchRequest): boolean {
    for (const c of this.#all) if (!c.test(req)) return false;
    return true;
  }
}

/** A request with no headers, query or cookies: what a lookup without a {@link MatchRequest} sees. */
export const EMPTY_REQUEST: MatchRequest = Object.freeze({
  header: () => undefined,
  query: () => undefined,
  cookie: () => undefined,
});
