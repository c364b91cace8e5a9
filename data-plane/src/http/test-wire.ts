// Test-only helpers for the engine's tests (and the fuzz and differential harnesses): an engine server on 127.0.0.1:0, and a raw client
// that sends bytes exactly as given and reads the answers with the independent wire reader.
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { HttpServer, type HttpServerOptions } from "./http-server.js";
import { readResponses, type WireOptions, type WireReading } from "./wire-responses.js";

/** An engine server listening on loopback (a plain `net.Server` handing it sockets). */
export class EngineServer {
  readonly engine: HttpServer;
  readonly #net: Server;
  port = 0;

  constructor(opts: HttpServerOptions) {
    this.engine = new HttpServer(opts);
    this.#net = createServer({ allowHalfOpen: true }, (socket) => this.engine.accept(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#net.listen(0, "127.0.0.1", r));
    this.port = (this.#net.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening, then drains the engine (cut after `deadlineMs`). */
  async stop(deadlineMs = 1_000): Promise<void> {
    const closed = new Promise<void>((r) => this.#net.close(() => r()));
    await this.engine.close(deadlineMs);
    await closed;
  }
}

/** Options of {@link rawExchange}. */
export interface RawOptions {
  /** Shut the sending side after the bytes (half-close). */
  readonly end?: boolean;
  /** Resolve once this many final responses were read (else: when the server closes). */
  readonly responses?: number;
  /** Methods of the requests, in order (HEAD answers have no body). */
  readonly methods?: readonly string[];
  /** Give up after this long, ms (the result then says `timedOut`). Default 5,000. */
  readonly timeoutMs?: number;
  /** Sent one after the other, `gapMs` apart (default: all at once). */
  readonly parts?: readonly (string | Buffer)[];
  readonly gapMs?: number;
  /** How the reader tells bodyless answers (wire-responses.ts); default: by `methods` alone. */
  readonly wire?: WireOptions;
}

/** What the raw client saw. */
export interface RawResult extends WireReading {
  readonly bytes: Buffer;
  /** The server closed the connection. */
  readonly closed: boolean;
  readonly timedOut: boolean;
}

/** Sends `data` on a new connection and reads the answers. */
export function rawExchange(port: number, data: string | Buffer, opts: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const socket: Socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true }, async () => {
      const parts = opts.parts ?? [data];
      for (const p of parts) {
        if (socket.destroyed) return;
        socket.write(typeof p === "string" ? Buffer.from(p, "latin1") : p);
        if (opts.gapMs !== undefined) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.end === true && !socket.destroyed) socket.end();
    });
    const finish = (closed: boolean, timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, closed, timedOut, ...readResponses(bytes, opts.methods ?? [], closed, opts.wire) });
      socket.destroy();
    };
    const timer = setTimeout(() => finish(false, true), opts.timeoutMs ?? 5_000);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (opts.responses !== undefined) {
        const r = readResponses(Buffer.concat(chunks), opts.methods ?? [], false, opts.wire);
        if (r.error === null && r.responses.length >= opts.responses) finish(false, false);
      }
    });
    socket.on("end", () => {
      if (opts.end !== true) socket.end();
    });
    socket.on("close", () => finish(true, false));
    socket.on("error", () => finish(true, false));
  });
}
