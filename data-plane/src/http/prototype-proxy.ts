/**
 * The smallest reverse proxy built from the engine alone — its server reads each request, one
 * `ClientPool` forwards it to one upstream (the client's lines copied as bytes, hop-by-hop fields
 * left out, bodies streamed both ways with backpressure, WebSocket upgrades joined), its writer
 * answers (the upstream's lines copied as bytes). No phases, routing or policies: not the
 * product's proxy, but the engine's end-to-end test subject (prototype-proxy.test.ts) and the
 * `engine-prototype` bench system (bench/peers/engine-proxy.mjs), which measure the engine's
 * ceiling before it is wired into the request loop (issue 15 part 2).
 */
import type { IncomingHttpHeaders } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import { ERRORS, errorBody } from "../errors.js";
import { classifyUpstreamError } from "../upstream/upstream-errors.js";
import { FieldNameSet } from "./bytes.js";
import { ClientPool, type ClientPoolOptions } from "./client-pool.js";
import { selectForwarded } from "./field-copy.js";
import { HOP_BY_HOP_FIELDS } from "./headers.js";
import type { HttpRequestError } from "./http-error.js";
import { HttpServer, type HttpServerOptions } from "./http-server.js";
import type { ResponseHead } from "./response-parser.js";
import { switchingProtocolsHead } from "./response-writer.js";
import type { ExchangeListener, ServerExchange } from "./server-exchange.js";

/** Host is the upstream's; Expect was answered here. */
const REQUEST_DROP = new FieldNameSet([...HOP_BY_HOP_FIELDS, "host", "expect"]);
const RESPONSE_DROP = new FieldNameSet(HOP_BY_HOP_FIELDS);

/** One proxied request: the upstream exchange's handler and the client exchange's listener. */
class Proxied implements Dispatcher.DispatchHandler, ExchangeListener {
  readonly #ex: ServerExchange;
  #controller: Dispatcher.DispatchController | null = null;

  constructor(ex: ServerExchange) {
    this.#ex = ex;
    ex.listener = this;
  }

  // --- upstream (undici-style handler; `responseHead: true` gives the engine's lazy head) ------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const head = headers as unknown as ResponseHead;
    this.#ex.writeHead(status, null, { contentLength: head.contentLength ?? -1, forward: head, drop: RESPONSE_DROP });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#ex.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#ex.end();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    const ex = this.#ex;
    if (ex.ended || ex.clientGone) return;
    if (ex.headersSent) {
      ex.abort();
      return;
    }
    const code = classifyUpstreamError(err);
    const body = Buffer.from(errorBody(code, ex.requestId ?? "prototype"));
    ex.writeHead(
      ERRORS[code].status,
      { "content-type": "application/json" },
      { contentLength: body.length, close: true },
    );
    ex.end(body);
  }

  onRequestUpgrade(
    _c: Dispatcher.DispatchController,
    _status: number,
    headers: IncomingHttpHeaders,
    upstream: Duplex,
  ): void {
    const detached = this.#ex.detach();
    if (detached === null) {
      upstream.destroy();
      return;
    }
    const head = headers as unknown as ResponseHead;
    const client = detached.socket;
    client.write(switchingProtocolsHead(head.get("upgrade") ?? "websocket", head, RESPONSE_DROP));
    if (detached.head.length > 0) upstream.write(detached.head);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  // --- client (ExchangeListener) -----------------------------------------------------------------

  onExchangeAbort(_ex: ServerExchange, err: HttpRequestError | null): void {
    // The client left, or its request broke: the upstream exchange stops and its connection is not reused.
    this.#controller?.abort(err === null ? new Error("client gone") : err.toError());
  }

  onExchangeDrain(): void {
    this.#controller?.resume();
  }

  onExchangeEnd(): void {}
}

/** A running prototype proxy. */
export class PrototypeProxy {
  readonly engine: HttpServer;
  readonly pool: ClientPool;
  readonly #net: Server;
  port = 0;

  /**
   * @param upstream the one upstream (`host`, `port`, pool options)
   * @param server the engine server's options (limits, timeouts)
   */
  constructor(upstream: ClientPoolOptions, server: Omit<HttpServerOptions, "onRequest"> = {}) {
    const pool = new ClientPool(upstream);
    const hostHeader = `${upstream.host}:${upstream.port}`;
    this.pool = pool;
    this.engine = new HttpServer({
      ...server,
      onRequest(ex) {
        const head = ex.head;
        const upgrade = head.upgrade ? (head.get("upgrade") ?? null) : null;
        pool.dispatch(
          {
            path: head.target,
            method: head.method,
            headers: { host: hostHeader },
            forward: selectForwarded(head, REQUEST_DROP, null),
            body: ex.body,
            headersTimeout: 30_000,
            bodyTimeout: 30_000,
            upgrade,
            responseHead: true,
          },
          new Proxied(ex),
        );
      },
    });
    this.#net = createServer({ allowHalfOpen: true }, (socket: Socket) => this.engine.accept(socket));
  }

  /** Listens on `host:port` (port 0: any free port). */
  async listen(port = 0, host = "127.0.0.1"): Promise<this> {
    await new Promise<void>((r) => this.#net.listen(port, host, r));
    this.port = (this.#net.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening, drains the client connections, closes the pool. */
  async close(deadlineMs = 1_000): Promise<void> {
    const closed = new Promise<void>((r) => this.#net.close(() => r()));
    await this.engine.close(deadlineMs);
    await this.pool.destroy();
    await closed;
  }
}
