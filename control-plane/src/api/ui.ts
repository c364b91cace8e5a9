import { existsSync } from "node:fs";
import { join } from "node:path";
import { fastifyStatic } from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../errors.js";
import type { Logger } from "../log.js";

/**
 * Headers of every web admin file. The bundle loads only its own scripts and
 * talks only to this origin (connect-src 'self'); styles allow inline
 * attributes for the chart library; nothing may frame it (clickjacking).
 */
const UI_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

function uiHeaders(reply: FastifyReply, cache: string): void {
  for (const [k, v] of Object.entries(UI_HEADERS)) reply.header(k, v);
  reply.header("cache-control", cache);
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Whether an unmatched GET is a page of the single-page app (answered with
 * index.html for client routing). Anything under `/v1` (however encoded), a
 * missing asset, or a name with an extension is not.
 */
export function isAppPath(url: string): boolean {
  const path = decoded(url.split("?")[0]!).toLowerCase();
  if (path === "/v1" || path.startsWith("/v1/") || path === "/healthz") return false;
  return !path.startsWith("/assets/") && !/\.[a-z0-9]{1,8}$/.test(path);
}

const PUBLIC = { config: { public: true } } as const;

/**
 * Serves the web admin's static bundle (built by vite into `web-admin/dist`)
 * at `/` on the admin port. The control plane imports nothing of the UI: it
 * only serves its files, on routes registered public (the API's deny-by-default
 * auth is decided on the matched route): `/` and client-side paths answer
 * `index.html` (revalidated on every load, so a new build is picked up),
 * `/assets/*` the hashed files (cached a year). An unmatched path that is not a
 * page (an unknown `/v1` endpoint, a missing asset) still needs the admin token
 * before it learns it is a 404, as without the UI.
 *
 * @param dir the bundle folder (holds `index.html`); when it has none, pages answer
 *   503 with a plain text saying how to build it (the API keeps working).
 * @param authenticate the API's token check: throws DomainError ADMIN_AUTH_REQUIRED.
 */
export function registerUi(
  app: FastifyInstance,
  dir: string,
  log: Logger,
  authenticate: (req: FastifyRequest, reply: FastifyReply) => void,
): void {
  const built = existsSync(join(dir, "index.html"));
  if (!built) log.warn({ uiDir: dir }, "web admin bundle not found: run `npm run build` to serve the UI");
  else app.register(fastifyStatic, { root: dir, serve: false, cacheControl: false, dotfiles: "deny" });

  const page = (reply: FastifyReply) => {
    if (!built) {
      uiHeaders(reply, "no-cache");
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The Palisade web admin is not built here. Run `npm run build` (or start with --ui-dir).\n");
    }
    uiHeaders(reply, "no-cache");
    return reply.sendFile("index.html");
  };

  app.get("/", PUBLIC, (_req, reply) => page(reply));
  app.get("/assets/*", PUBLIC, (req, reply) => {
    const file = (req.params as { "*": string })["*"];
    if (!built || file === "" || file.includes("..")) throw new DomainError("NOT_FOUND", "no such file");
    uiHeaders(reply, "public, max-age=31536000, immutable");
    return reply.sendFile(join("assets", file));
  });
  app.get("/*", PUBLIC, (req, reply) => {
    if (isAppPath(req.url)) return page(reply);
    authenticate(req, reply);
    throw new DomainError("NOT_FOUND", `no endpoint ${req.method} ${req.url.split("?")[0]}`);
  });
}
