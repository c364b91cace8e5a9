import { existsSync } from "node:fs";
import { join } from "node:path";
import { fastifyStatic } from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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

function uiHeaders(reply: FastifyReply): void {
  for (const [k, v] of Object.entries(UI_HEADERS)) reply.header(k, v);
}

/** Whether an unmatched request is a page of the single-page app (served index.html for client routing). */
function isAppPath(req: FastifyRequest): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = req.url.split("?")[0]!;
  if (path === "/v1" || path.startsWith("/v1/") || path === "/healthz") return false;
  // A missing file under /assets/ (or any name with an extension) is a real 404, not a page.
  return !path.startsWith("/assets/") && !/\.[A-Za-z0-9]{1,8}$/.test(path);
}

/**
 * Serves the web admin's static bundle (built by vite into `web-admin/dist`)
 * at `/` on the admin port. The control plane imports nothing of the UI: it
 * only serves its files. Hashed files under `/assets/` are cached for a year;
 * `index.html` is revalidated on every load so a new build is picked up.
 *
 * @param dir the bundle folder (holds `index.html`); when it has none, `/` answers
 *   503 with a plain page saying how to build it (the API keeps working).
 * @returns `notFound(req, reply)`: answers an unmatched request with `index.html`
 *   when it is a page of the app (true), or leaves it to the caller (false).
 */
export function registerUi(
  app: FastifyInstance,
  dir: string,
  log: Logger,
): (req: FastifyRequest, reply: FastifyReply) => boolean {
  const built = existsSync(join(dir, "index.html"));
  if (!built) {
    log.warn({ uiDir: dir }, "web admin bundle not found: run `npm run build` to serve the UI");
    app.get("/", async (_req, reply) => {
      uiHeaders(reply);
      reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The Palisade web admin is not built here. Run `npm run build` (or start with --ui-dir).\n");
    });
    return () => false;
  }
  const assets = join(dir, "assets");
  app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: true,
    index: ["index.html"],
    dotfiles: "deny",
    cacheControl: false,
    setHeaders(reply, path) {
      uiHeaders(reply);
      reply.header("cache-control", path.startsWith(assets) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return (req, reply) => {
    if (!isAppPath(req)) return false;
    reply.code(200).sendFile("index.html");
    return true;
  };
}
