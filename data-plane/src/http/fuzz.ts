/**
 * The fuzz harness of the engine: generated requests (request-corpus.ts: methods, targets,
 * fields, framing, bodies, byte mutations), one to four pipelined per connection, sent to a
 * minimal server built on the engine in this process. The run passes when the process is still
 * alive at the end and every connection got only valid HTTP responses (wire-responses.ts, written
 * apart from the engine) followed by a clean close — never a hang, never bytes that are not a
 * response.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { CASE } from "./request-corpus.js";
import type { ExchangeListener, ServerExchange } from "./server-exchange.js";
import { EngineServer } from "./test-wire.js";
import { readResponses } from "./wire-responses.js";

/** The server marks its answers to HEAD with this header (the client cannot always tell). */
const HEAD_MARK = "x-fuzz-head";

const IGNORE: ExchangeListener = { onExchangeAbort() {}, onExchangeDrain() {}, onExchangeEnd() {} };

/** A small deterministic hash of the target: picks the answer's shape. */
function shape(target: string): number {
  let h = 7;
  for (let i = 0; i < target.length; i++) h = (h * 31 + target.charCodeAt(i)) | 0;
  return h >>> 0;
}

const STATUSES = [200, 200, 200, 201, 204, 304, 404, 500];

/** The fuzz server's handler: reads the body, answers by the target's hash (status, length, framing). */
function answer(ex: ServerExchange): void {
  ex.listener = IGNORE;
  const h = shape(ex.head.target);
  if (ex.head.upgrade) {
    ex.writeHead(400, { "content-type": "text/plain" }, { contentLength: 10 });
    ex.end(Buffer.from("no upgrade"));
    return;
  }
  const respond = (received: number) => {
    const status = STATUSES[h % STATUSES.length]!;
    const body = Buffer.alloc((h >>> 3) % 300, 0x61 + (received % 26));
    const headers: Record<string, string> = { "x-received": String(received) };
    if (ex.head.method === "HEAD") headers[HEAD_MARK] = "1";
    const chunked = (h >>> 12) % 3 === 0;
    ex.writeHead(status, headers, chunked ? undefined : { contentLength: body.length });
    if ((h >>> 14) % 4 === 0 && body.length > 1) {
      ex.write(body.subarray(0, 1));
      setImmediate(() => ex.end(body.subarray(1)));
    } else {
      ex.end(body);
    }
  };
  const body = ex.body;
  if (body === null) {
    respond(0);
    return;
  }
  let n = 0;
  body.start({
    onBodyData: (c) => {
      n += c.length;
      return true;
    },
    onBodyEnd: () => respond(n),
    onBodyError: () => {},
  });
}

/** What a fuzz run found. */
export interface FuzzResult {
  readonly requests: number;
  readonly connections: number;
  readonly responses: number;
  /** Connections closed without a byte (a refused request may end so only after a TLS-less reset). */
  readonly silentCloses: number;
  /** Connections whose bytes were not a sequence of valid responses, or that hung: each with why. */
  readonly failures: readonly string[];
}

/**
 * Sends `requests` generated requests (seeded) to a fresh engine server, `concurrency`
 * connections at a time, and checks every answer.
 */
export async function fuzzEngine(requests: number, seed: number, concurrency = 32): Promise<FuzzResult> {
  const server = await new EngineServer({
    onRequest: answer,
    headersTimeoutMs: 2_000,
    requestTimeoutMs: 3_000,
    keepAliveTimeoutMs: 3_000,
    lingerMs: 200,
    maxHeaderBytes: 8_192,
    maxHeaders: 50,
  }).start();
  // Batches of 1-4 pipelined requests, drawn in one go (deterministic for the seed).
  const sizes = fc.sample(fc.integer({ min: 1, max: 4 }), { numRuns: requests, seed });
  const texts = fc.sample(CASE, { numRuns: requests, seed: seed + 1 });
  const batches: Buffer[] = [];
  for (let i = 0, b = 0; i < texts.length; b++) {
    const n = Math.min(sizes[b % sizes.length]!, texts.length - i);
    batches.push(Buffer.from(texts.slice(i, i + n).join(""), "latin1"));
    i += n;
  }
  let next = 0;
  let responses = 0;
  let silentCloses = 0;
  const failures: string[] = [];
  const one = (bytes: Buffer) =>
    new Promise<void>((resolve) => {
      const chunks: Buffer[] = [];
      let done = false;
      const socket = connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true }, () => {
        socket.write(bytes);
        socket.end();
      });
      const finish = (why: string | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        if (why !== null && failures.length < 50)
          failures.push(`${why}: ${JSON.stringify(bytes.toString("latin1").slice(0, 200))}`);
        else if (why !== null) failures.push(why);
        resolve();
      };
      const timer = setTimeout(() => finish("no close within 10 s"), 10_000);
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("error", () => {});
      socket.on("close", () => {
        const all = Buffer.concat(chunks);
        if (all.length === 0) {
          silentCloses++;
          finish(null);
          return;
        }
        const r = readResponses(all, [], true, { bodylessHeader: HEAD_MARK, finalBodyOptional: true });
        responses += r.responses.length;
        finish(r.error === null ? null : `invalid answer (${r.error})`);
      });
    });
  const worker = async () => {
    while (next < batches.length) await one(batches[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await server.stop(2_000);
  return { requests: texts.length, connections: batches.length, responses, silentCloses, failures };
}
