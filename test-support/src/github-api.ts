// GitHub's REST API description (the npm package @octokit/openapi: ~1,200 operations), for the
// benchmarks' 10,000-route configuration and the tests that import a real large OpenAPI
// description. It is ~385 MB unpacked, so it is no dependency of the project (`npm ci` stays
// lean): the first caller installs it with npm into bench/.cache/ (ignored by git), at the pinned
// version below so every run sees the same operations, and later callers reuse that copy.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The API description's package, pinned: another version is another route set. */
export const OPENAPI_PACKAGE = "@octokit/openapi@23.0.2";
const CACHE_DIR = fileURLToPath(new URL("../../bench/.cache/octokit-openapi/", import.meta.url));

/**
 * The directory of the installed `@octokit/openapi` package: one already resolvable (installed
 * by hand), else the copy in bench/.cache, installed with npm on first use.
 * @throws Error when npm cannot install it (no registry access): the message says what to run
 */
export function openapiDir(): string {
  const name = "@octokit/openapi/package.json";
  for (const from of [import.meta.url, join(CACHE_DIR, "package.json")]) {
    try {
      return dirname(createRequire(from).resolve(name));
    } catch {}
  }
  process.stderr.write(`installing ${OPENAPI_PACKAGE} (GitHub's REST API description, ~385 MB) into bench/.cache/\n`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const manifest = join(CACHE_DIR, "package.json");
  if (!existsSync(manifest))
    writeFileSync(manifest, '{ "private": true, "description": "bench and test cache, not part of the project" }\n');
  const args = ["install", "--prefix", CACHE_DIR, "--no-audit", "--no-fund", "--no-package-lock", OPENAPI_PACKAGE];
  try {
    execFileSync("npm", args, { stdio: ["ignore", "ignore", "inherit"] });
  } catch (err) {
    throw new Error(`could not install ${OPENAPI_PACKAGE}: run \`npm ${args.join(" ")}\` (${(err as Error).message})`);
  }
  return dirname(createRequire(manifest).resolve(name));
}

/** Path of GitHub's REST API description (OpenAPI 3.0, JSON, ~13 MB). */
export function githubDescriptionPath(): string {
  return join(openapiDir(), "generated", "api.github.com.json");
}

/** One operation of the description. */
export interface GithubOperation {
  method: string;
  path: string;
  tag: string;
  id: string;
}

/** The operations of GitHub's REST API. */
export function githubOperations(): GithubOperation[] {
  const doc = JSON.parse(readFileSync(githubDescriptionPath(), "utf8")) as {
    paths: Record<string, Record<string, { tags?: string[]; operationId?: string }>>;
  };
  const ops: GithubOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      ops.push({
        method: method.toUpperCase(),
        path,
        tag: op.tags?.[0] ?? "misc",
        id: op.operationId ?? `${method}${path}`,
      });
    }
  }
  return ops;
}

function pathMatch(path: string): { exact: string } | { prefix: string } {
  const i = path.indexOf("{");
  if (i === -1) return { exact: path };
  return { prefix: path.slice(0, i).replace(/\/+$/, "") || "/" };
}

function safeName(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 56);
}

/** The admin API bodies of a configuration. */
export interface GeneratedConfig {
  upstreams: Array<Record<string, unknown>>;
  policies: Array<Record<string, unknown>>;
  routes: Array<Record<string, unknown> & { name: string }>;
}

/**
 * A realistic configuration of `routes` routes: each GitHub operation a route (its method, the
 * host, its path exact, or the prefix before the first `{param}`), served under
 * `api-0.example.com`, `api-1.example.com`, … until the count; one upstream per API tag; one
 * route in five behind one of four JWT policies with an inline RSA JWKS.
 */
export function generateConfig(routes = 10_000): GeneratedConfig {
  const ops = githubOperations();
  const tags = [...new Set(ops.map((o) => o.tag))].sort();
  const upstreams = tags.map((t, i) => ({
    name: `gh-${safeName(t)}`,
    targets: [{ host: "127.0.0.1", port: 20_000 + i }],
    timeouts: { connect_ms: 2000 },
  }));
  const policies = [0, 1, 2, 3].map((i) => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: `bench-${i}`, alg: "RS256", use: "sig" };
    return {
      name: `bench-jwt-${i}`,
      type: "jwt",
      config: {
        jwks: { keys: [jwk] },
        algorithms: ["RS256"],
        issuers: [`https://idp-${i}.example.com`],
        claims_to_headers: { sub: "X-User" },
      },
    };
  });
  const out: GeneratedConfig["routes"] = [];
  for (let n = 0; out.length < routes; n++) {
    const host = `api-${n}.example.com`;
    for (const op of ops) {
      if (out.length >= routes) break;
      const i = out.length;
      out.push({
        name: `${safeName(op.id)}-${n}`.slice(0, 64),
        hosts: [host],
        paths: [pathMatch(op.path)],
        methods: [op.method],
        upstream: `gh-${safeName(op.tag)}`,
        ...(i % 5 === 0 ? { policies: [`bench-jwt-${i % 4}`] } : {}),
      });
    }
  }
  // Names must be unique: disambiguate the rare collisions after truncation.
  const seen = new Map<string, number>();
  for (const r of out) {
    const c = seen.get(r.name) ?? 0;
    seen.set(r.name, c + 1);
    if (c > 0) r.name = `${r.name.slice(0, 58)}-${c}`;
  }
  return { upstreams, policies, routes: out };
}
