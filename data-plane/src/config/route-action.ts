import type { Route } from "@palisade/proto";
import { HOP_BY_HOP_FIELDS } from "../http/headers.js";
import { forwardIndex } from "../router/path.js";
import type { PathParams } from "../router/path-pattern.js";
import type { CompileError } from "./compile-error.js";

/** Largest `direct_response` body, bytes: a maintenance page, not a file server. */
export const MAX_DIRECT_BODY_BYTES = 65_536;

/** A compiled `redirect` action (proto `RedirectAction`). */
export interface RedirectSpec {
  readonly kind: "redirect";
  /** 301, 302, 303, 307 or 308. */
  readonly status: number;
  /** `http`, `https`, or null to keep the request's. */
  readonly scheme: "http" | "https" | null;
  /** Host, or null to keep the request's. */
  readonly host: string | null;
  /** Port, or 0 (see {@link redirectLocation}). */
  readonly port: number;
  /** Whole new path (may hold `{name}`), or null. */
  readonly path: string | null;
  /** Replacement of the matched prefix, or null. */
  readonly prefixRewrite: string | null;
  readonly stripQuery: boolean;
}

/** A compiled `direct_response` action. */
export interface DirectResponseSpec {
  readonly kind: "direct_response";
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What a route answers itself instead of proxying. */
export type RouteAction = RedirectSpec | DirectResponseSpec;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// RFC 9110 §5.6.2 token; a field value without CR, LF or NUL (RFC 9110 §5.5).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// A host name or an IPv4 address; an IPv6 literal in brackets.
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;
// Fields the node writes itself on its own answers (framing, the request id), or that are hop-by-hop.
const OWN_FIELDS = new Set([...HOP_BY_HOP_FIELDS, "content-length", "x-request-id", "date"]);

/**
 * A route's action, or null when it proxies.
 * @param bad makes the RESOURCE_INVALID error naming the route
 * @throws CompileError for a status out of range, a bad scheme, host, path or header, a body
 *   over {@link MAX_DIRECT_BODY_BYTES}, a path and a prefix rewrite together
 */
export function compileRouteAction(r: Route, bad: (msg: string) => CompileError): RouteAction | null {
  const a = r.action;
  if (a.case === undefined) return null;
  if (r.upstreamId !== "") throw bad(`${a.case}: a route that answers itself has no upstream_id`);
  if (a.case === "redirect") {
    const v = a.value;
    const status = v.status === 0 ? 301 : v.status;
    if (!REDIRECT_STATUSES.has(status)) throw bad(`redirect.status: ${v.status} is not 301, 302, 303, 307 or 308`);
    if (v.scheme !== "" && v.scheme !== "http" && v.scheme !== "https")
      throw bad(`redirect.scheme: "${v.scheme}" is not http or https`);
    if (v.host !== "" && !HOST.test(v.host)) throw bad(`redirect.host: "${v.host}" is not a host`);
    if (v.port > 65_535) throw bad(`redirect.port: ${v.port} is not a port`);
    if (v.path !== "" && v.prefixRewrite !== "") throw bad("redirect: path and prefix_rewrite exclude each other");
    for (const [f, p] of [
      ["path", v.path],
      ["prefix_rewrite", v.prefixRewrite],
    ] as const)
      if (p !== "" && (!p.startsWith("/") || !FIELD_VALUE.test(p) || /[\s?#]/.test(p)))
        throw bad(`redirect.${f}: "${p}" is not a path`);
    if (v.prefixRewrite !== "" && r.paths.some((p) => p.kind.case === "regex" || p.kind.case === "template"))
      throw bad("redirect.prefix_rewrite: applies to exact and prefix paths only");
    return Object.freeze({
      kind: "redirect",
      status,
      scheme: v.scheme === "" ? null : v.scheme,
      host: v.host === "" ? null : v.host.toLowerCase(),
      port: v.port,
      path: v.path === "" ? null : v.path,
      prefixRewrite: v.prefixRewrite === "" ? null : v.prefixRewrite,
      stripQuery: v.stripQuery,
    });
  }
  const v = a.value;
  if (v.status < 200 || v.status > 599) throw bad(`direct_response.status: ${v.status} is not 200-599`);
  if (v.body.length > MAX_DIRECT_BODY_BYTES)
    throw bad(`direct_response.body: ${v.body.length} bytes, more than ${MAX_DIRECT_BODY_BYTES}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(v.headers)) {
    const n = name.toLowerCase();
    if (!TOKEN.test(name) || OWN_FIELDS.has(n)) throw bad(`direct_response.headers: "${name}" cannot be set`);
    if (!FIELD_VALUE.test(value)) throw bad(`direct_response.headers.${name}: the value holds a control character`);
    headers[n] = value;
  }
  if (v.body.length > 0 && headers["content-type"] === undefined) headers["content-type"] = "text/plain; charset=utf-8";
  return Object.freeze({
    kind: "direct_response",
    status: v.status,
    headers: Object.freeze(headers),
    body: Buffer.from(v.body),
  });
}

/** What {@link redirectLocation} reads of the request. */
export interface RedirectRequest {
  /** The request arrived over TLS. */
  readonly tls: boolean;
  /** Lower-case host without port (`""` when none). */
  readonly host: string;
  /** `host[:port]` as the client named it (`""` when none). */
  readonly authority: string;
  /** The path as received (canonical form), without the query. */
  readonly path: string;
  /** The raw query with its `?`, or `""`. */
  readonly query: string;
  /** The matched path kind and value (for `prefix_rewrite`). */
  readonly matched: { readonly kind: string; readonly value: string };
  /** Values the route's template or regex path captured. */
  readonly params: PathParams | null;
}

/** Characters a path segment may carry as they are (RFC 3986 §3.3 pchar), `%XX` escapes kept. */
const NOT_PCHAR = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@%]/g;

/**
 * A captured value as one path segment: it arrives as the client sent it (escapes not decoded),
 * so existing `%XX` escapes stay as they are and only what a segment may not carry is escaped
 * (a lone `%`, `/`, `?`, `#`, spaces, non-ASCII) — never escaped twice.
 */
function pathSegmentOf(value: string): string {
  return value.replace(NOT_PCHAR, (c) => encodeURIComponent(c));
}

/**
 * The absolute `Location` of a redirect (RFC 9110 §10.2.2): the request's URL with the parts the
 * action names replaced. A port is kept only when both scheme and host are (a changed scheme or
 * host gets its default port unless the action names one: Envoy's `https_redirect`); `{name}` in
 * `path` is a captured value; `prefix_rewrite` replaces the matched prefix as the route option
 * does; the query is kept unless `strip_query`.
 */
export function redirectLocation(a: RedirectSpec, req: RedirectRequest): string {
  const scheme = a.scheme ?? (req.tls ? "https" : "http");
  const host = a.host ?? req.host;
  let port = a.port > 0 ? String(a.port) : "";
  if (port === "" && a.scheme === null && a.host === null) {
    const at = req.authority.lastIndexOf(":");
    if (at > req.authority.lastIndexOf("]")) port = req.authority.slice(at + 1);
  }
  if ((scheme === "https" && port === "443") || (scheme === "http" && port === "80")) port = "";
  let path = req.path;
  if (a.path !== null) {
    const params = req.params ?? {};
    path = a.path.replace(/\{([^/{}]+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? pathSegmentOf(params[name]!) : whole,
    );
  } else if (a.prefixRewrite !== null) {
    if (req.matched.kind === "exact") path = a.prefixRewrite;
    else {
      const prefix = req.matched.value.endsWith("/") ? req.matched.value.slice(0, -1) : req.matched.value;
      const rest = req.path.slice(forwardIndex(req.path, prefix.length));
      const base = a.prefixRewrite.endsWith("/") ? a.prefixRewrite.slice(0, -1) : a.prefixRewrite;
      path = rest === "" ? a.prefixRewrite : `${base}${rest}`;
    }
  }
  const query = a.stripQuery ? "" : req.query;
  // No host to name (an HTTP/1.0 request without one): a relative reference (RFC 9110 §10.2.2).
  if (host === "" && a.scheme === null) return `${path}${query}`;
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${hostPart}${port === "" ? "" : `:${port}`}${path}${query}`;
}
