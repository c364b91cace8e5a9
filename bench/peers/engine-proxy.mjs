// Prototype: a reverse proxy built only from the data plane's own HTTP/1.1 engine
// (data-plane/src/http/prototype-proxy.ts: the engine's server → one ClientPool → its writer, the
// client's and the upstream's lines copied as bytes, bodies streamed both ways). No phases, no
// policies, no routing: the ceiling of the engine before it is wired into the proxy loop
// (issue 15 part 2). Usage:
//   node bench/peers/engine-proxy.mjs --port 8080 --upstream http://127.0.0.1:9000
import { parseArgs } from "node:util";
import { PrototypeProxy } from "../../data-plane/dist/http/prototype-proxy.js";

const { values } = parseArgs({ options: { port: { type: "string" }, upstream: { type: "string" } } });
if (!values.port || !values.upstream) {
  process.stderr.write("usage: engine-proxy.mjs --port N --upstream http://host:port\n");
  process.exit(2);
}
const upstream = new URL(values.upstream);
// 64 upstream connections, like nginx's `keepalive 64`; client keep-alive never recycled.
const proxy = new PrototypeProxy(
  { host: upstream.hostname, port: Number(upstream.port), maxConnections: 64, keepAliveTimeoutMs: 120_000 },
  { keepAliveTimeoutMs: 120_000 },
);
await proxy.listen(Number(values.port));

for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => proxy.close().finally(() => process.exit(0)));
