// Peer: fastify 5 + @fastify/http-proxy with its defaults (undici pool underneath), no hooks, no
// logging. Usage: node bench/peers/fastify-http-proxy.mjs --port 8080 --upstream http://127.0.0.1:9000

import { parseArgs } from "node:util";
import proxy from "@fastify/http-proxy";
import Fastify from "fastify";

const { values } = parseArgs({ options: { port: { type: "string" }, upstream: { type: "string" } } });
if (!values.port || !values.upstream) {
  process.stderr.write("usage: fastify-http-proxy.mjs --port N --upstream http://host:port\n");
  process.exit(2);
}

const app = Fastify({ logger: false, keepAliveTimeout: 120_000 });
// 64 upstream connections, like nginx's `keepalive 64` (reply-from's default is 128).
await app.register(proxy, { upstream: values.upstream, undici: { connections: 64, pipelining: 1 } });
await app.listen({ host: "127.0.0.1", port: Number(values.port) });

for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => app.close().then(() => process.exit(0)));
