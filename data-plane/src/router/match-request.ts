import type { HeaderFields } from "../http/headers.js";
import { decodeFormComponent as decodeComponent } from "../request/form-component.js";
import type { MatchRequest } from "./route-conditions.js";

/**
 * The {@link MatchRequest} of a received request: headers read from the raw fields on demand;
 * the query (names and values decoded as `application/x-www-form-urlencoded`, as upstream
 * frameworks read them) and the cookies (RFC 6265 §4.2.1; a DQUOTE-wrapped value unwrapped)
 * parsed once, on the first condition that asks. A name sent twice reads as `null`.
 */
export class RequestMatchFields implements MatchRequest {
  readonly #fields: HeaderFields;
  readonly #rawQuery: string;
  #headers: Map<string, string | undefined> | undefined;
  #query: Map<string, string | null> | undefined;
  #cookies: Map<string, string | null> | undefined;

  /**
   * @param fields the request's header fields
   * @param rawQuery the raw query with its `?` (`""` when none)
   */
  constructor(fields: HeaderFields, rawQuery: string) {
    this.#fields = fields;
    this.#rawQuery = rawQuery;
  }

  header(name: string): string | undefined {
    // Many routes of one path may test the same header: read the raw head once per name.
    this.#headers ??= new Map();
    if (this.#headers.has(name)) return this.#headers.get(name);
    const v = this.#fields.get(name);
    this.#headers.set(name, v);
    return v;
  }

  query(name: string): string | null | undefined {
    this.#query ??= parseQuery(this.#rawQuery);
    return this.#query.get(name);
  }

  cookie(name: string): string | null | undefined {
    this.#cookies ??= parseCookies(this.#fields);
    return this.#cookies.get(name);
  }
}

function put(map: Map<string, string | null>, name: string, value: string): void {
  map.set(name, map.has(name) ? null : value);
}

/** Query parameters by decoded name (`?a=1&b` → a: "1", b: ""); a repeated name maps to null. */
export function parseQuery(raw: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (raw.length < 2) return out;
  for (const part of raw.slice(1).split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    put(out, name, eq === -1 ? "" : decodeComponent(part.slice(eq + 1)));
  }
  return out;
}

/** Cookies of every `Cookie` line by name (case-sensitive, RFC 6265 §5.4); a repeated name maps to null. */
function parseCookies(fields: HeaderFields): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const line of fields.getAll("cookie"))
    for (const pair of line.split(";")) {
      const eq = pair.indexOf("=");
      if (eq === -1) continue;
      let v = pair.slice(eq + 1).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      put(out, pair.slice(0, eq).trim(), v);
    }
  return out;
}
