import { DomainError } from "../../errors.js";

/**
 * Route actions (issue 22): a route answers itself with a `redirect` or a `direct_response`
 * instead of proxying to an `upstream` (maintenance pages, retired APIs, HTTP → HTTPS). The
 * route's policies still run first on the nodes. JSON Schema fragments, semantic checks and the
 * proto mapping; the nodes apply the same rules (data-plane `config/route-action.ts`).
 */

/** Largest `direct_response.body`, bytes (UTF-8). */
export const MAX_DIRECT_BODY_BYTES = 65_536;

const redirectPath = {
  type: "string",
  minLength: 1,
  maxLength: 1024,
  pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/{}-]*$",
} as const;

/** The route body's `redirect` and `direct_response` members. */
export const actionSchemas = {
  redirect: {
    type: "object",
    additionalProperties: false,
    description: "answer with a redirect to the request's URL with these parts replaced, instead of an upstream",
    properties: {
      status: { type: "integer", enum: [301, 302, 303, 307, 308], description: "default 301" },
      scheme: { type: "string", enum: ["http", "https"], description: "https: an HTTPS upgrade" },
      host: {
        type: "string",
        minLength: 1,
        maxLength: 253,
        pattern: "^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$",
      },
      port: { type: "integer", minimum: 1, maximum: 65535, description: "default: kept when scheme and host are" },
      path: { ...redirectPath, description: "replaces the whole path; {name} takes a template's captured value" },
      prefix_rewrite: { ...redirectPath, description: "replaces the matched prefix (exact and prefix paths)" },
      strip_query: { type: "boolean", description: "drop the query (default: kept)" },
    },
  },
  direct_response: {
    type: "object",
    required: ["status"],
    additionalProperties: false,
    description: "answer with this status, headers and body instead of an upstream",
    properties: {
      status: { type: "integer", minimum: 200, maximum: 599 },
      headers: {
        type: "object",
        maxProperties: 32,
        propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" },
        additionalProperties: { type: "string", maxLength: 4096, pattern: "^[\\t\\x20-\\x7e\\x80-\\xff]*$" },
      },
      body: { type: "string", maxLength: MAX_DIRECT_BODY_BYTES, description: "at most 64 KiB (UTF-8)" },
    },
  },
} as const;

/** Headers a `direct_response` may not set: the node's own and the framing ones. */
const OWN_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
  "x-request-id",
  "date",
]);

interface ActionBody {
  upstream?: string;
  paths?: unknown[];
  redirect?: { path?: string; prefix_rewrite?: string };
  direct_response?: { headers?: Record<string, string>; body?: string };
}

/**
 * A route has exactly one target: an upstream, a redirect or a direct response; a redirect
 * names a path or a prefix rewrite, not both, and a prefix rewrite only beside exact and prefix
 * paths; a direct response sets none of the node's own headers and a body of at most 64 KiB.
 * @param at prefix of the field named (`""` on a write, `routes.<name>.` at publish)
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkRouteAction(body: Record<string, unknown>, at = ""): void {
  const b = body as ActionBody;
  const targets = [b.upstream, b.redirect, b.direct_response].filter((x) => x !== undefined).length;
  if (targets === 0)
    throw new DomainError(
      "VALIDATION_FAILED",
      "a route needs an upstream, a redirect or a direct_response",
      `${at}upstream`,
    );
  if (targets > 1)
    throw new DomainError(
      "VALIDATION_FAILED",
      "a route has one of upstream, redirect and direct_response",
      `${at}${b.redirect !== undefined ? "redirect" : "direct_response"}`,
    );
  const r = b.redirect;
  if (r?.path !== undefined && r.prefix_rewrite !== undefined)
    throw new DomainError(
      "VALIDATION_FAILED",
      "path and prefix_rewrite exclude each other",
      `${at}redirect.prefix_rewrite`,
    );
  if (
    r?.prefix_rewrite !== undefined &&
    (b.paths ?? []).some((p) => typeof p === "object" && p !== null && ("regex" in p || "template" in p))
  )
    throw new DomainError(
      "VALIDATION_FAILED",
      "prefix_rewrite applies to exact and prefix paths only",
      `${at}redirect.prefix_rewrite`,
    );
  if (r?.path !== undefined) {
    // A `{name}` must be captured by every path of the route, or the Location would depend on which matched.
    for (const m of r.path.matchAll(/\{([^/{}]*)\}/g)) {
      const name = m[1]!;
      const missing = (b.paths ?? []).length === 0 || (b.paths ?? []).some((p) => !capturedBy(p).has(name));
      if (missing)
        throw new DomainError(
          "VALIDATION_FAILED",
          `no template or regex path of the route captures {${name}}`,
          `${at}redirect.path`,
        );
    }
  }
  const d = b.direct_response;
  if (d !== undefined) {
    for (const name of Object.keys(d.headers ?? {}))
      if (OWN_HEADERS.has(name.toLowerCase()))
        throw new DomainError(
          "VALIDATION_FAILED",
          `${name} is set by the node`,
          `${at}direct_response.headers.${name}`,
        );
    if (d.body !== undefined && Buffer.byteLength(d.body) > MAX_DIRECT_BODY_BYTES)
      throw new DomainError("VALIDATION_FAILED", "more than 64 KiB", `${at}direct_response.body`);
  }
}

/** The names a path item captures: a template's variables, a regex's named groups. */
function capturedBy(p: unknown): Set<string> {
  const o = (typeof p === "object" && p !== null ? p : {}) as { template?: string; regex?: string };
  if (o.template !== undefined) return new Set([...o.template.matchAll(/\{([^/{}]+)\}/g)].map((m) => m[1]!));
  if (o.regex !== undefined)
    return new Set([...o.regex.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!));
  return new Set();
}

/** The proto `action` of a route body (absent: the route proxies). */
export function toRouteAction(body: Record<string, unknown>) {
  const r = body.redirect as
    | {
        status?: number;
        scheme?: string;
        host?: string;
        port?: number;
        path?: string;
        prefix_rewrite?: string;
        strip_query?: boolean;
      }
    | undefined;
  if (r !== undefined)
    return {
      action: {
        case: "redirect" as const,
        value: {
          status: r.status ?? 301,
          scheme: r.scheme ?? "",
          host: r.host ?? "",
          port: r.port ?? 0,
          path: r.path ?? "",
          prefixRewrite: r.prefix_rewrite ?? "",
          stripQuery: r.strip_query ?? false,
        },
      },
    };
  const d = body.direct_response as { status: number; headers?: Record<string, string>; body?: string } | undefined;
  if (d !== undefined)
    return {
      action: {
        case: "directResponse" as const,
        value: { status: d.status, headers: { ...d.headers }, body: new TextEncoder().encode(d.body ?? "") },
      },
    };
  return {};
}
