// Loopback helpers: free ports from the OS and a small HTTP client that never keeps a socket open
// (a pooled keep-alive socket from a readiness probe would sit on the system under test).
import http from "node:http";
import net from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} HttpResult
 * @property {number} status
 * @property {import("node:http").IncomingHttpHeaders} headers
 * @property {string} body
 */

/**
 * One HTTP/1.1 request on a fresh connection (agent: false), bounded by `timeoutMs`.
 * @param {string} url absolute http:// URL
 * @param {{method?: string, headers?: Record<string, string>, json?: unknown, timeoutMs?: number}} [opts]
 * @returns {Promise<HttpResult>}
 * @throws Error on connection failure or timeout
 */
export function httpRequest(url, opts = {}) {
  const body = opts.json === undefined ? undefined : Buffer.from(JSON.stringify(opts.json));
  const headers = { ...opts.headers };
  if (body) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers, agent: false }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 5000} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Polls `check` every 100 ms until it returns a value other than `undefined`.
 * @template T
 * @param {string} what for the timeout message
 * @param {() => Promise<T | undefined>} check a thrown error counts as "not yet"
 * @param {{timeoutMs: number, process?: import("./proc.mjs").Tracked}} opts stops early if `process` exits
 * @returns {Promise<T>}
 * @throws Error on timeout or when the watched process exits
 */
export async function waitFor(what, check, opts) {
  const deadline = Date.now() + opts.timeoutMs;
  let last = "";
  for (;;) {
    if (opts.process?.hasExited) {
      const out = opts.process.output();
      throw new Error(`${opts.process.label} exited before ${what}${out ? `: ${out}` : ""}`);
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = /** @type {Error} */ (err).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
