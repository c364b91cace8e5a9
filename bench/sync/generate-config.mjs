// Builds a realistic route set for the sync scale bench from GitHub's REST API description
// (the npm package @octokit/openapi: ~1,200 operations), scaled up by serving the API under
// several host names (api-0.example.com, api-1.example.com, …) until the wanted route count.
//
// Each operation becomes a route: its method, the host, and its path (exact when the path has no
// parameter, else a prefix up to the first `{param}`, since routes match exact and prefix paths).
// Routes go to one upstream per API tag (repos, issues, actions, …); one route in five sits
// behind one of a few JWT policies with an inline RSA JWKS.
//
// The API description (@octokit/openapi, ~385 MB unpacked) is not a dependency of the project:
// `npm ci` stays lean, and the first bench that needs it installs it into bench/.cache/
// (ignored by git) with npm, at the pinned version below so every run builds the same routes.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The API description's package, pinned: another version is another route set. */
export const OPENAPI_PACKAGE = "@octokit/openapi@23.0.2";
const CACHE_DIR = fileURLToPath(new URL("../.cache/octokit-openapi/", import.meta.url));

/**
 * The directory of the installed `@octokit/openapi` package: one already resolvable from here
 * (installed by hand), else the copy in bench/.cache, installed with npm on first use.
 * @throws when npm cannot install it (no registry access): the message says what to run
 */
export function openapiDir() {
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
    writeFileSync(manifest, '{ "private": true, "description": "bench cache, not part of the project" }\n');
  const args = ["install", "--prefix", CACHE_DIR, "--no-audit", "--no-fund", "--no-package-lock", OPENAPI_PACKAGE];
  try {
    execFileSync("npm", args, { stdio: ["ignore", "ignore", "inherit"] });
  } catch (err) {
    throw new Error(`could not install ${OPENAPI_PACKAGE}: run \`npm ${args.join(" ")}\` (${err.message})`);
  }
  return dirname(createRequire(manifest).resolve(name));
}

/** The operations of GitHub's REST API: [{ method, path, tag, id }]. */
export function githubOperations() {
  const dir = openapiDir();
  const doc = JSON.parse(readFileSync(join(dir, "generated", "api.github.com.json"), "utf8"));
  const ops = [];
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

function pathMatch(path) {
  const i = path.indexOf("{");
  if (i === -1) return { exact: path };
  const prefix = path.slice(0, i).replace(/\/+$/, "") || "/";
  return { prefix };
}

function safeName(s) {
  return s
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 56);
}

/**
 * The admin API bodies of a config with `routes` routes.
 * @returns {{ upstreams: object[], policies: object[], routes: object[] }}
 */
export function generateConfig(routes = 10_000) {
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
  const out = [];
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
  const seen = new Map();
  for (const r of out) {
    const c = seen.get(r.name) ?? 0;
    seen.set(r.name, c + 1);
    if (c > 0) r.name = `${r.name.slice(0, 58)}-${c}`;
  }
  return { upstreams, policies, routes: out };
}
