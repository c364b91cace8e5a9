// Prototype: a reverse proxy built only from the data plane's own HTTP/1.1 engine
// (data-plane/src/http/): the engine's server reads each request, its ClientPool forwards it to
// one keep-alive upstream (the client's fields copied as bytes, hop-by-hop fields left out,
// bodies streamed both ways with backpressure), its writer sends the answer back (the upstream's
// fields copied as bytes). No phases, no policies, no routing: the ceiling of the engine before
// it is wired into the proxy loop (issue 15 part 2). Usage:
//   node bench/peers/engine-proxy.mjs --port 8080 --upstream http://127.0.0.1:9000
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { FieldNameSet } from "../../data-plane/dist/http/bytes.js";
import { ClientPool } from "../../data-plane/dist/http/client-pool.js";
import { selectForwarded } from "../../data-plane/dist/http/field-copy.js";
import { HttpServer } from "../../data-plane/dist/http/http-server.js";
import { HOP_BY_HOP } from "../../data-plane/dist/proxy/hop-by-hop.js";

const { values } = parseArgs({ options: { port: { type: "string" }, upstream: { type: "string" } } });
if (!values.port || !values.upstream) {
  process.stderr.write("usage: engine-proxy.mjs --port N --upstream http://host:port\n");
  process.exit(2);
}
const upstream = new URL(values.upstream);
const pool = new ClientPool({
  host: upstream.hostname,
  port: Number(upstream.port),
  maxConnections: 64,
  keepAliveTimeoutMs: 120_000,
});
const HOST = upstream.host;

/** Connection-specific fields (RFC 9110 §7.6.1), Host (the upstream's is set) and Expect (answered here). */
const REQUEST_DROP = new FieldNameSet([...HOP_BY_HOP, "host", "expect"]);
const RESPONSE_DROP = new FieldNameSet(HOP_BY_HOP);
const BAD_GATEWAY = Buffer.from('{"error":{"code":"UPSTREAM_UNAVAILABLE"}}');

/** One proxied request: the upstream exchange's handler and the client exchange's listener. */
class Proxied {
  constructor(ex) {
    this.ex = ex;
    this.controller = null;
    ex.listener = this;
  }

  // upstream (undici-style DispatchHandler; `responseHead: true` gives the engine's lazy head)
  onRequestStart(controller) {
    this.controller = controller;
  }

  onResponseStart(_controller, status, head) {
    this.ex.writeHead(status, null, { contentLength: head.contentLength ?? -1, forward: head, drop: RESPONSE_DROP });
  }

  onResponseData(controller, chunk) {
    if (!this.ex.write(chunk)) controller.pause();
  }

  onResponseEnd() {
    this.ex.end();
  }

  onResponseError() {
    if (this.ex.headersSent) {
      this.ex.abort();
      return;
    }
    this.ex.writeHead(502, { "content-type": "application/json" }, { contentLength: BAD_GATEWAY.length });
    this.ex.end(BAD_GATEWAY);
  }

  // client (ExchangeListener)
  onExchangeAbort() {
    this.controller?.abort(new Error("client gone"));
  }

  onExchangeDrain() {
    this.controller?.resume();
  }

  onExchangeEnd() {}
}

const engine = new HttpServer({
  keepAliveTimeoutMs: 120_000,
  onRequest(ex) {
    const head = ex.head;
    pool.dispatch(
      {
        path: head.target,
        method: head.method,
        headers: { host: HOST },
        forward: selectForwarded(head, REQUEST_DROP, null),
        body: ex.body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
        responseHead: true,
      },
      new Proxied(ex),
    );
  },
});
const server = createServer({ allowHalfOpen: true }, (socket) => engine.accept(socket));
server.listen(Number(values.port), "127.0.0.1");

for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    server.close();
    Promise.all([engine.close(1_000), pool.destroy()]).finally(() => process.exit(0));
  });
}
