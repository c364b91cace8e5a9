import type { CorsPolicy } from "@palisade/proto";
import type { SecurityReason } from "../../events/security-events.js";
import type { ResponseFields } from "../../http/response-fields.js";
import { CONTINUE, type Policy, type Refusal, refusal, type Verdict } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";

/**
 * The `cors` policy (Fetch standard, "CORS protocol"). The node owns CORS on the routes it is
 * attached to:
 *
 * - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered at the
 *   edge: 204 with the allow headers when the origin, the method and every requested header are
 *   allowed, else 403 `CORS_FORBIDDEN` with no CORS header (authentication policies of the chain
 *   are skipped for preflights, which browsers send without credentials);
 * - on every other answer (upstream or the node's own errors, so a browser can read a 401), an
 *   allowed origin gets `Access-Control-Allow-Origin` (the origin itself, or `*` when every origin
 *   is allowed without credentials), `-Allow-Credentials`, `-Expose-Headers`; a disallowed or
 *   absent origin gets no CORS header at all; the upstream's own `Access-Control-*` headers are
 *   removed (the policy decides, not the upstream);
 * - `Vary: Origin` is added (merged into the upstream's `Vary`) whenever the answer depends on the
 *   origin, i.e. always except for `*` without credentials, so a shared cache never serves one
 *   origin's answer to another.
 *
 * Origins: exact serialized origins (`https://app.example.com`, compared case-insensitively,
 * default ports dropped), `*.` patterns (`https://*.example.com` matches any subdomain depth, not
 * the apex), or `*`. No regular expressions (an unescaped `.` in an origin regex is a classic
 * bypass). Requests are never refused for their origin outside preflights: CORS protects browsers
 * reading answers, not the upstream.
 * @throws PolicyConfigError on an invalid origin, method or header name, `*` with credentials, or
 *   no origin
 */
export function createCorsPolicy(cfg: CorsPolicy, ctx: PolicyContext): Policy {
  if (cfg.allowOrigins.length === 0) throw new PolicyConfigError("allow_origins: at least one origin is required");
  let any = false;
  const exact = new Set<string>();
  const patterns: { scheme: string; suffix: string; port: string }[] = [];
  cfg.allowOrigins.forEach((o, i) => {
    if (o === "*") {
      any = true;
      return;
    }
    const p = parseOrigin(o, true);
    if (p === undefined) throw new PolicyConfigError(`allow_origins[${i}]: "${o}" is not an origin or *. pattern`);
    if (p.host.startsWith("*.")) patterns.push({ scheme: p.scheme, suffix: p.host.slice(1), port: p.port });
    else exact.add(p.serialized);
  });
  if (any && cfg.allowCredentials)
    throw new PolicyConfigError("allow_credentials cannot be combined with the * origin (it would trust every site)");
  const methods = (
    cfg.allowMethods.length > 0 ? cfg.allowMethods : ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]
  ).map((m, i) => {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(m))
      throw new PolicyConfigError(`allow_methods[${i}]: "${m}" is not a method`);
    return m.toUpperCase();
  });
  const methodSet = new Set(methods);
  const headerList = (list: readonly string[], field: string) =>
    list.map((h, i) => {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h))
        throw new PolicyConfigError(`${field}[${i}]: "${h}" is not a header name`);
      return h.toLowerCase();
    });
  const allowHeaders = headerList(cfg.allowHeaders, "allow_headers");
  const allowHeaderSet = new Set(allowHeaders);
  const expose = headerList(cfg.exposeHeaders, "expose_headers").join(", ");
  const creds = cfg.allowCredentials;
  const maxAge = cfg.maxAgeS > 0 ? String(cfg.maxAgeS) : "";
  const allMethods = methods.join(", ");
  // The answer depends on the request's Origin unless every origin gets the same `*`.
  const varies = !(any && !creds);

  const allowed = (origin: string | undefined): string | undefined => {
    if (origin === undefined) return undefined;
    if (any) return creds ? origin : "*";
    const p = parseOrigin(origin, false);
    if (p === undefined) return undefined;
    if (exact.has(p.serialized)) return origin;
    for (const pat of patterns) {
      if (
        pat.scheme === p.scheme &&
        pat.port === p.port &&
        p.host.endsWith(pat.suffix) &&
        p.host.length > pat.suffix.length
      )
        return origin;
    }
    return undefined;
  };

  const refuse = (reason: SecurityReason): Refusal =>
    refusal("CORS_FORBIDDEN", reason, varies ? Object.freeze({ vary: "Origin" }) : null);

  return Object.freeze({
    type: "cors",
    id: ctx.id,
    traits: Object.freeze({ answersPreflight: true }),
    requestHeaders(ex): Verdict {
      if (ex.method !== "OPTIONS") return CONTINUE;
      const h = ex.fields;
      const acrm = h.get("access-control-request-method");
      const requestOrigin = h.get("origin");
      if (requestOrigin === undefined || acrm === undefined) return CONTINUE;
      const origin = allowed(requestOrigin);
      if (origin === undefined) return refuse("cors_origin_not_allowed");
      if (!methodSet.has(acrm) && acrm !== "GET" && acrm !== "HEAD" && acrm !== "POST")
        return refuse("cors_method_not_allowed");
      const acrh = h.get("access-control-request-headers");
      const requested =
        typeof acrh === "string"
          ? acrh
              .split(",")
              .map((s) => s.trim().toLowerCase())
              .filter((s) => s !== "")
          : [];
      if (allowHeaders.length > 0)
        for (const r of requested) if (!allowHeaderSet.has(r)) return refuse("cors_header_not_allowed");
      const headers: Record<string, string> = {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": allMethods,
        vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "content-length": "0",
      };
      if (creds) headers["access-control-allow-credentials"] = "true";
      const allowH = allowHeaders.length > 0 ? allowHeaders.join(", ") : requested.join(", ");
      if (allowH !== "") headers["access-control-allow-headers"] = allowH;
      if (maxAge !== "") headers["access-control-max-age"] = maxAge;
      return { kind: "reply", status: 204, headers };
    },
    responseHeaders(ex, res) {
      res.removePrefix("access-control-");
      if (varies) addVary(res, "Origin");
      const origin = allowed(ex.fields.get("origin"));
      if (origin === undefined) return CONTINUE;
      res.set("access-control-allow-origin", origin);
      if (creds) res.set("access-control-allow-credentials", "true");
      if (expose !== "") res.set("access-control-expose-headers", expose);
      return CONTINUE;
    },
  } satisfies Policy);
}

/** Adds `token` to the `Vary` header unless it (or `*`) is already there. */
export function addVary(res: ResponseFields, token: string): void {
  const text = res.get("vary");
  if (text === undefined) {
    res.set("vary", token);
    return;
  }
  const lower = token.toLowerCase();
  for (const t of text.split(",")) {
    const x = t.trim().toLowerCase();
    if (x === lower || x === "*") return;
  }
  res.set("vary", text === "" ? token : `${text}, ${token}`);
}

interface Origin {
  readonly scheme: string;
  readonly host: string;
  /** `""` for the scheme's default port. */
  readonly port: string;
  readonly serialized: string;
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9*][a-z0-9.-]*)(?::([0-9]{1,5}))?$/;
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: "80", https: "443" };

/** Parses a serialized origin (RFC 6454 §6.2), lower-cased, default port dropped. */
function parseOrigin(text: string, pattern: boolean): Origin | undefined {
  const m = ORIGIN.exec(text.toLowerCase());
  if (m === null) return undefined;
  const scheme = m[1]!;
  const host = m[2]!;
  if (host.includes("*") && (!pattern || !/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host))) return undefined;
  if (host.includes("..") || host.endsWith(".")) return undefined;
  let port = m[3] ?? "";
  if (port !== "" && Number(port) > 65535) return undefined;
  if (port === DEFAULT_PORT[scheme]) port = "";
  return { scheme, host, port, serialized: `${scheme}://${host}${port === "" ? "" : `:${port}`}` };
}
