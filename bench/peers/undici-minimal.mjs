// Peer: the least a Node proxy can do — node:http server, one keep-alive undici Pool, the request
// body streamed into pool.request, the response piped back, hop-by-hop headers stripped
// (RFC 9110 §7.6.1), nothing else. The floor any Node gateway (Palisade included) is measured from.
// Usage: node bench/peers/undici-minimal.mjs --port 8080 --upstream http://127.0.0.1:9000
import http from "node:http";
import { pipeline } from "node:stream";
import { parseArgs } from "node:util";
import { Pool } from "undici";

const { values } = parseArgs({ options: { port: { type: "string" }, upstream: { type: "string" } } });
if (!values.port || !values.upstream) {
  process.stderr.write("usage: undici-minimal.mjs --port N --upstream http://host:port\n");
  process.exit(2);
}

const pool = new Pool(values.upstream, { connections: 64, pipelining: 1, keepAliveTimeout: 120_000 });

/** Connection-specific fields (RFC 9110 §7.6.1), plus host: undici sets the upstream's. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Copies headers without hop-by-hop fields and without those the Connection header names.
 * @param {Record<string, string | string[] | undefined>} headers lower-cased names
 * @param {boolean} dropHost
 * @returns {Record<string, string | string[]>}
 */
function endToEnd(headers, dropHost) {
  const named = String(headers.connection ?? "")
    .toLowerCase()
    .split(",")
    .map((s) => s.trim());
  /** @type {Record<string, string | string[]>} */
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.includes(k) || (dropHost && k === "host")) continue;
    out[k] = v;
  }
  return out;
}

const server = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const hasBody =
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
  pool
    .request({
      path: req.url ?? "/",
      method: /** @type {import("undici").Dispatcher.HttpMethod} */ (req.method ?? "GET"),
      headers: endToEnd(req.headers, true),
      body: hasBody ? req : undefined,
    })
    .then(
      ({ statusCode, headers, body }) => {
        res.writeHead(statusCode, endToEnd(headers, false));
        pipeline(body, res, () => {});
      },
      () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502, { "content-type": "application/json" }).end('{"error":"bad gateway"}');
      },
    );
});
server.listen(Number(values.port), "127.0.0.1");

for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    server.close();
    pool.destroy().finally(() => process.exit(0));
  });
}
