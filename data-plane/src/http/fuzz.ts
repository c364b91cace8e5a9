/**
 * The fuzz harness of the engine: generated requests (request-corpus.ts: methods, targets,
 * fields, framing, bodies, byte mutations), one to four pipelined per connection, sent to a
 * minimal server built on the engine in this process. The run passes when the process is still
 * alive at the end and every connection got only valid HTTP responses (wire-responses.ts, written
 * apart from the engine) followed by a clean close — never a hang, never bytes that are not a
 * response.
 */
import fc from "fast-check";
import { CASE } from "./request-corpus.js";
import type { ExchangeListener, ServerExchange } from "./server-exchange.js";
import { EngineServer, rawExchange } from "./test-wire.js";
import type { WireOptions } from "./wire-responses.js";

/** A fuzz server marks its answers to HEAD with this header (the client cannot always tell). */
export const HEAD_MARK = "x-fuzz-head";

const IGNORE: ExchangeListener = { onExchangeAbort() {}, onExchangeDrain() {}, onExchangeEnd() {} };

/** A small deterministic hash of the target: picks the answer's shape (status, length, framing). */
export function fuzzShape(target: string): number {
  let h = 7;
  for (let i = 0; i < target.length; i++) h = (h * 31 + target.charCodeAt(i)) | 0;
  return h >>> 0;
}

/** The statuses a fuzz server answers with, picked by {@link fuzzShape}. */
export const FUZZ_STATUSES: readonly number[] = [200, 200, 200, 201, 204, 304, 404, 500];

/** The fuzz server's handler: reads the body, answers by the target's hash (status, length, framing). */
function answer(ex: ServerExchange): void {
  ex.listener = IGNORE;
  const h = fuzzShape(ex.head.target);
  if (ex.head.upgrade) {
    ex.writeHead(400, { "content-type": "text/plain" }, { contentLength: 10 });
    ex.end(Buffer.from("no upgrade"));
    return;
  }
  const respond = (received: number) => {
    const status = FUZZ_STATUSES[h % FUZZ_STATUSES.length]!;
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
 * Sends `requests` generated requests (seeded: the same seed sends the same bytes), one to four
 * pipelined per connection and the sending side then shut, to the server on 127.0.0.1:`port`,
 * `concurrency` connections at a time, and reads every answer with `wire` (wire-responses.ts).
 * A connection fails when it stays open 10 s or its bytes are not a sequence of valid responses.
 */
export async function fuzzPort(
  port: number,
  requests: number,
  seed: number,
  concurrency: number,
  wire: WireOptions,
): Promise<FuzzResult> {
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
  const one = async (bytes: Buffer) => {
    const r = await rawExchange(port, bytes, { end: true, timeoutMs: 10_000, wire });
    let why: string | null = null;
    if (r.timedOut) why = "no close within 10 s";
    else if (r.bytes.length === 0) silentCloses++;
    else {
      responses += r.responses.length;
      if (r.error !== null) why = `invalid answer (${r.error})`;
    }
    if (why !== null)
      failures.push(failures.length < 50 ? `${why}: ${JSON.stringify(bytes.toString("latin1").slice(0, 200))}` : why);
  };
  const worker = async () => {
    while (next < batches.length) await one(batches[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: texts.length, connections: batches.length, responses, silentCloses, failures };
}

/** {@link fuzzPort} against a fresh server on the engine alone (its handler: the answers above). */
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
  try {
    return await fuzzPort(server.port, requests, seed, concurrency, {
      bodylessHeader: HEAD_MARK,
      finalBodyOptional: true,
    });
  } finally {
    await server.stop(2_000);
  }
}
