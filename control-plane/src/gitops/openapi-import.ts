import { createHash } from "node:crypto";
import type { Body } from "./canonical.js";
import type { ConfigDocument } from "./document.js";

/**
 * `palisadectl openapi import`: an OpenAPI 3 description → a configuration document (one upstream,
 * routes, authentication policies), for `sync -f`. The mapping:
 * - the upstream is `servers[0].url` (or `--upstream-url`): scheme, host, port; its base path
 *   stays part of every route path, so clients call the gateway with the URLs the description
 *   documents and the upstream receives them unchanged;
 * - each operation becomes part of a route: a path without a template is an exact match; a
 *   templated one (`/repos/{owner}/{repo}`) is a prefix match up to the segment holding the first
 *   template (`/repos`), since the router matches exact paths and prefixes. Operations that share
 *   the match and the same security are one route, with their methods;
 * - security schemes become policies: `apiKey` in a header or the query → `api-key`; `http` bearer,
 *   `oauth2` and `openIdConnect` → `jwt` (it needs `--jwks-url`; `--issuer` when known); several
 *   schemes of one requirement all apply; alternatives become an `auth-any` policy; an empty
 *   requirement (`{}`) among the alternatives makes the operation public;
 * - `--host` names the hosts the routes match; `--prefix` the names (default: from `info.title`).
 */

/** What `openapi import` is told besides the description. */
export interface ImportOptions {
  /** Name prefix of every resource (letters, digits, `.`, `_`, `-`). */
  readonly prefix?: string;
  /** The upstream's URL, instead of `servers[0].url`. */
  readonly upstreamUrl?: string;
  /** Hosts the routes match. */
  readonly hosts?: readonly string[];
  /** JWKS of the JWT policies made for bearer, OAuth 2 and OpenID Connect schemes. */
  readonly jwksUrl?: string;
  /** Issuer those tokens must carry. */
  readonly issuer?: string;
}

/** The document and what the import made of the description. */
export interface ImportResult {
  readonly document: ConfigDocument;
  readonly operations: number;
  readonly routes: number;
  readonly policies: number;
}

/** A description the import refuses, naming the operation (`GET /users/{id} (users/get)`) or the field. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportError";
  }
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const PATH_CHARS = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const NAME_MAX = 64;

type SecurityRequirement = Record<string, unknown>;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly label: string;
  readonly security: readonly SecurityRequirement[];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .replace(/-{2,}/g, "-");
}

/** A resource name of at most 64 characters, unique among `taken` (a hash suffix when cut or taken). */
function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted.slice(0, NAME_MAX).replace(/[^A-Za-z0-9]+$/, "") || "r";
  if (name.length < wanted.length || taken.has(name)) {
    const h = createHash("sha256").update(wanted).digest("hex").slice(0, 6);
    name = `${wanted.slice(0, NAME_MAX - 7).replace(/[^A-Za-z0-9]+$/, "")}-${h}`;
    for (let i = 2; taken.has(name); i++) name = `${name.slice(0, NAME_MAX - 3)}-${i}`;
  }
  taken.add(name);
  return name;
}

/** The upstream body of a server URL. @throws ImportError when it is not an absolute http(s) URL */
function upstreamOf(name: string, url: string, where: string): { body: Body; basePath: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ImportError(`${where} ${JSON.stringify(url)} is not an absolute URL: pass --upstream-url`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new ImportError(`${where} ${JSON.stringify(url)} is not http or https: pass --upstream-url`);
  if (u.hostname.includes("{"))
    throw new ImportError(`${where} ${JSON.stringify(url)} is templated: pass --upstream-url`);
  const https = u.protocol === "https:";
  const body: Body = {
    name,
    targets: [{ host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || (https ? 443 : 80)) }],
    ...(https ? { scheme: "https" } : {}),
  };
  return { body, basePath: decodeURI(u.pathname).replace(/\/+$/, "") };
}

/** The route match of an operation's path: exact, or the prefix before its first template. */
function matchOf(path: string): { exact: string } | string {
  const i = path.indexOf("{");
  if (i === -1) return { exact: path };
  const prefix = path.slice(0, path.lastIndexOf("/", i)).replace(/\/+$/, "");
  return prefix === "" ? "/" : prefix;
}

/**
 * Converts an OpenAPI 3.0 or 3.1 description (parsed JSON or YAML) into a configuration document.
 * @throws ImportError naming the failing operation or field
 */
export function importOpenApi(spec: unknown, opts: ImportOptions = {}): ImportResult {
  if (typeof spec !== "object" || spec === null) throw new ImportError("the description is not a mapping");
  const s = spec as {
    openapi?: unknown;
    info?: { title?: string };
    servers?: Array<{ url?: string }>;
    paths?: Record<string, Record<string, unknown>>;
    security?: SecurityRequirement[];
    components?: { securitySchemes?: Record<string, Record<string, unknown>> };
  };
  if (typeof s.openapi !== "string" || !s.openapi.startsWith("3."))
    throw new ImportError(
      `openapi: ${JSON.stringify(s.openapi)} is not an OpenAPI 3 description (Swagger 2 is not supported)`,
    );
  if (typeof s.paths !== "object" || s.paths === null) throw new ImportError("paths: missing");
  const base = slug(opts.prefix ?? s.info?.title ?? "api").slice(0, 40) || "api";
  const taken = new Set<string>();
  const serverUrl = opts.upstreamUrl ?? s.servers?.[0]?.url;
  if (!serverUrl) throw new ImportError("servers: no server URL: pass --upstream-url");
  const upstream = upstreamOf(
    uniqueName(base, taken),
    serverUrl,
    opts.upstreamUrl ? "--upstream-url" : "servers.0.url",
  );
  const specBase = opts.upstreamUrl && s.servers?.[0]?.url ? safeBasePath(s.servers[0].url) : upstream.basePath;

  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(s.paths)) {
    for (const method of METHODS) {
      const op = item?.[method] as { operationId?: string; security?: SecurityRequirement[] } | undefined;
      if (!op) continue;
      const label = `${method.toUpperCase()} ${path}${op.operationId ? ` (${op.operationId})` : ""}`;
      if (!path.startsWith("/")) throw new ImportError(`${label}: the path does not start with /`);
      const full = `${specBase}${path}`;
      const match = matchOf(full);
      const matched = typeof match === "string" ? match : match.exact;
      if (!PATH_CHARS.test(matched))
        throw new ImportError(
          `${label}: ${JSON.stringify(matched)} has characters a route path cannot hold (percent-encode them)`,
        );
      ops.push({ method: method.toUpperCase(), path: full, label, security: op.security ?? s.security ?? [] });
    }
  }

  const schemes = s.components?.securitySchemes ?? {};
  const policies = new Map<string, Body>();
  /** The policy of one scheme (made once). @throws ImportError for a scheme the gateway cannot check */
  const policyOf = (schemeName: string, op: Operation): string => {
    const scheme = schemes[schemeName];
    if (!scheme)
      throw new ImportError(
        `${op.label}: security scheme ${JSON.stringify(schemeName)} is not defined in components.securitySchemes`,
      );
    const key = `scheme:${schemeName}`;
    const made = policies.get(key);
    if (made) return made.name as string;
    let body: Body;
    const type = scheme.type;
    if (type === "apiKey") {
      if (scheme.in === "header") body = { type: "api-key", config: { header: scheme.name } };
      else if (scheme.in === "query") body = { type: "api-key", config: { query_param: scheme.name } };
      else
        throw new ImportError(
          `${op.label}: security scheme ${schemeName} sends the key in a ${String(scheme.in)}, which the api-key policy does not read`,
        );
    } else if (
      (type === "http" && String(scheme.scheme).toLowerCase() === "bearer") ||
      type === "oauth2" ||
      type === "openIdConnect"
    ) {
      if (!opts.jwksUrl)
        throw new ImportError(
          `${op.label}: security scheme ${schemeName} (${String(type)}) becomes a jwt policy: pass --jwks-url (and --issuer)`,
        );
      body = {
        type: "jwt",
        config: {
          jwks_url: opts.jwksUrl,
          algorithms: ["RS256", "ES256"],
          ...(opts.issuer ? { issuers: [opts.issuer] } : {}),
        },
      };
    } else
      throw new ImportError(
        `${op.label}: security scheme ${schemeName} (${String(type)} ${String(scheme.scheme ?? "")}) has no Palisade policy`,
      );
    const name = uniqueName(`${base}-${slug(schemeName)}`, taken);
    policies.set(key, { name, ...body });
    return name;
  };
  /** The policies a route of `op` lists (AND), or [] when the operation is public. */
  const policiesOf = (op: Operation): string[] => {
    if (op.security.length === 0 || op.security.some((r) => Object.keys(r).length === 0)) return [];
    const alternatives = op.security.map((r) => Object.keys(r).map((n) => policyOf(n, op)));
    if (alternatives.length === 1) return alternatives[0]!;
    if (alternatives.some((a) => a.length > 1))
      throw new ImportError(
        `${op.label}: alternatives of several schemes each (A and B, or C) have no Palisade policy`,
      );
    const members = [...new Set(alternatives.map((a) => a[0]!))].sort();
    if (members.length === 1) return members;
    const key = `any:${members.join(",")}`;
    const made = policies.get(key);
    if (made) return [made.name as string];
    const name = uniqueName(`${base}-any-${members.length}`, taken);
    policies.set(key, { name, type: "auth-any", config: { policies: members } });
    return [name];
  };

  // One route per match and security; a method of one match must not need two securities.
  const groups = new Map<
    string,
    { match: { exact: string } | string; policies: string[]; methods: Set<string>; first: Operation }
  >();
  const methodOwner = new Map<string, { key: string; op: Operation }>();
  for (const op of ops) {
    const match = matchOf(op.path);
    const pols = policiesOf(op);
    const matchKey = JSON.stringify(match);
    const key = `${matchKey} ${pols.join(",")}`;
    const owner = methodOwner.get(`${matchKey} ${op.method}`);
    if (owner && owner.key !== key)
      throw new ImportError(
        `${op.label}: shares its route match with ${owner.op.label} but needs other security; the router cannot tell them apart`,
      );
    methodOwner.set(`${matchKey} ${op.method}`, { key, op });
    const g = groups.get(key) ?? { match, policies: pols, methods: new Set<string>(), first: op };
    g.methods.add(op.method);
    groups.set(key, g);
  }
  const routes: Body[] = [];
  for (const g of groups.values()) {
    const where = typeof g.match === "string" ? g.match : `${g.match.exact}-x`;
    routes.push({
      name: uniqueName(`${base}-${slug(where) || "root"}`, taken),
      ...(opts.hosts && opts.hosts.length > 0 ? { hosts: [...opts.hosts] } : {}),
      paths: [g.match],
      methods: [...g.methods].sort(),
      upstream: upstream.body.name,
      ...(g.policies.length > 0 ? { policies: g.policies } : {}),
    });
  }
  routes.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const policyList = [...policies.values()].sort(
    (a, b) => (a.type === "auth-any" ? 1 : 0) - (b.type === "auth-any" ? 1 : 0),
  );
  return {
    document: { upstreams: [upstream.body], ...(policyList.length ? { policies: policyList } : {}), routes },
    operations: ops.length,
    routes: routes.length,
    policies: policyList.length,
  };
}

/** The base path of a server URL, when it parses ("" otherwise). */
function safeBasePath(url: string): string {
  try {
    return decodeURI(new URL(url).pathname).replace(/\/+$/, "");
  } catch {
    return "";
  }
}
