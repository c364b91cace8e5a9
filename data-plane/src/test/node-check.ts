/**
 * The differential and fuzz checks run against a real node rather than the engine alone: the
 * proxy server (listeners, engine, request loop, compile, routing, upstream pools) in this
 * process, with one catch-all route to a node:http upstream on loopback.
 *
 * - Differential: each request of the corpus (http/request-corpus.ts) goes to the node, and the
 *   node's answer must be exactly what the engine's verdict (http/differential.ts) says Palisade
 *   does — the same refusal status, or the request forwarded as the engine read it (method, the
 *   canonical path and query, every client field the node does not manage, in order, and the
 *   body). With the engine's known differences from node:http (http/differential-known.ts), that
 *   makes the node's verdicts node:http's (with Palisade's checks) except the listed kinds.
 * - Fuzz: generated and mutated requests, one to four pipelined per connection; every connection
 *   must get valid HTTP responses (http/wire-responses.ts, written apart from the engine) and a
 *   clean close, and the node must still answer at the end.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { REQUEST_DROP } from "../config/compile.js";
import { type DIFF_LIMITS, engineVerdict, type Verdict } from "../http/differential.js";
import { FUZZ_STATUSES, type FuzzResult, fuzzPort, fuzzShape, HEAD_MARK } from "../http/fuzz.js";
import type { CorpusCase } from "../http/request-corpus.js";
import { rawExchange } from "../http/test-wire.js";
import { readResponses, type WireResponse } from "../http/wire-responses.js";
import { parseRequestTarget } from "../request/target.js";
import { canonicalizePath } from "../router/path.js";
import { checkOtherReadings } from "../router/path-readings.js";
import { route, snapshot, upstream } from "./fixtures.js";
import { TestProxy } from "./harness.js";

/**
 * The client fields the node writes itself or never forwards (so they are not compared): the
 * compiled drop list, and Content-Length (re-written from the parsed value).
 */
const MANAGED: ReadonlySet<string> = new Set([...REQUEST_DROP, "content-length"]);

/** What the upstream (or the engine) read, in the terms both sides can be compared in. */
interface Reading {
  readonly method: string;
  readonly target: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly body: string;
}

/** The fields of `rawPairs` the node forwards as the client sent them (names lower-cased). */
function clientFields(rawPairs: readonly string[]): [string, string][] {
  const connection = new Set<string>();
  for (let i = 0; i < rawPairs.length; i += 2)
    if (rawPairs[i]!.toLowerCase() === "connection")
      for (const t of rawPairs[i + 1]!.split(",")) connection.add(t.trim().toLowerCase());
  const out: [string, string][] = [];
  for (let i = 0; i < rawPairs.length; i += 2) {
    const name = rawPairs[i]!.toLowerCase();
    if (MANAGED.has(name) || connection.has(name) || name.includes("_")) continue;
    out.push([name, rawPairs[i + 1]!]);
  }
  return out;
}

const stringify = (r: Reading) => JSON.stringify(r);

/** How a node:http upstream answers. */
type UpstreamMode = "echo" | "fuzz";

/**
 * A node under test: the proxy server in process (limits as the differential's), one catch-all
 * route to a node:http upstream that echoes what it read (`echo`: in an `x-read` header, so a
 * HEAD answer carries it too) or answers with a status, length and framing drawn from the target
 * (`fuzz`).
 */
export class NodeUnderTest {
  readonly proxy: TestProxy;
  readonly #upstream: Server;
  readonly #mode: UpstreamMode;

  constructor(mode: UpstreamMode, limits: typeof DIFF_LIMITS) {
    this.#mode = mode;
    this.proxy = new TestProxy({
      maxHeaderBytes: limits.maxHeaderBytes,
      maxHeaders: limits.maxHeaders,
      headersTimeoutMs: 2_000,
      requestTimeoutMs: 3_000,
      keepAliveTimeoutMs: 3_000,
    });
    this.#upstream = createServer({ maxHeaderSize: 65_536 }, (req, res) => this.#answer(req, res));
    this.#upstream.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      socket.on("error", () => {});
      const read = this.#reading(req, Buffer.alloc(0));
      socket.end(`HTTP/1.1 200 OK\r\nx-read: ${read}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    });
  }

  get port(): number {
    return this.proxy.port;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#upstream.listen(0, "127.0.0.1", r));
    const port = (this.#upstream.address() as AddressInfo).port;
    this.proxy.apply(
      snapshot({ upstreams: [upstream("up", [`127.0.0.1:${port}`])], routes: [route("all", "up", ["/"])] }),
    );
    await this.proxy.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    this.#upstream.closeAllConnections();
    await new Promise<void>((r) => this.#upstream.close(() => r()));
  }

  #reading(req: IncomingMessage, body: Buffer): string {
    const r: Reading = {
      method: req.method ?? "",
      target: req.url ?? "",
      fields: clientFields(req.rawHeaders),
      body: body.toString("base64"),
    };
    return Buffer.from(stringify(r)).toString("base64");
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      const body = Buffer.concat(parts);
      if (this.#mode === "echo") {
        res.writeHead(200, { "x-read": this.#reading(req, body), "content-length": "0" }).end();
        return;
      }
      const h = fuzzShape(req.url ?? "");
      const status = FUZZ_STATUSES[h % FUZZ_STATUSES.length]!;
      const out = Buffer.alloc((h >>> 3) % 300, 0x61 + (body.length % 26));
      const headers: Record<string, string> = { "x-received": String(body.length) };
      if (req.method === "HEAD") headers[HEAD_MARK] = "1";
      if ((h >>> 12) % 3 !== 0) headers["content-length"] = String(status === 204 || status === 304 ? 0 : out.length);
      res.writeHead(status, headers);
      res.end(status === 204 || status === 304 || req.method === "HEAD" ? undefined : out);
    });
  }
}

/**
 * Why the node's answer to `bytes` is not what the engine's verdict says Palisade does, or `null`
 * when it is.
 */
export function mismatch(bytes: Buffer, engine: Verdict, answer: Buffer): string | null {
  const reading = readResponses(answer, [], true, { finalBodyOptional: true });
  const final: WireResponse | undefined = reading.responses.find((r) => r.status >= 200);
  if (engine.kind === "closed") return final === undefined ? null : `engine closed, node answered ${final.status}`;
  if (engine.kind === "timeout") return "the engine timed out";
  if (final === undefined) return `node sent no answer (${reading.error ?? "closed"})`;
  if (engine.kind === "refused") {
    if (final.status === engine.status) return null;
    // A WebSocket request's bytes after its head are its first frames (the tunnel's), not a body.
    // A WebSocket handshake's bytes after its head are the tunnel's first frames, with or
    // without framing fields (the node tunnels them as main's node:http proxy did; only another
    // upgrade with a body is refused): the upstream's answer (200, not 101) comes back.
    if (engine.why === "upgrade_with_body" && /\r\nupgrade:[ \t]*websocket[ \t]*\r\n/i.test(headOf(bytes)))
      return final.status === 200 ? null : `upgrade: node answered ${final.status}`;
    return `engine refused ${engine.status} ${engine.why}, node answered ${final.status}`;
  }
  const read = JSON.parse(engine.read) as {
    method: string;
    url: string;
    rawPairs: string[];
    body: string;
  };
  const target = parseRequestTarget(read.url);
  if (typeof target === "string") return `engine accepted an unreadable target ${read.url}`;
  const opts = { mergeSlashes: false, allowEncodedSlashes: false };
  const canon = canonicalizePath(target.rawPath, opts);
  if (typeof canon === "string") return final.status === 400 ? null : `path ${canon}: node answered ${final.status}`;
  // The node's path rules (issue 13): every other reading of the path must be one it accepts
  // (a segment that starts with `;` reads as parameters of an empty segment). One catch-all route.
  const other = checkOtherReadings(canon.path, opts, () => true);
  if (other !== undefined) return final.status === 400 ? null : `path ${other}: node answered ${final.status}`;
  if (final.status !== 200) return `engine accepted, node answered ${final.status}`;
  const expected: Reading = {
    method: read.method,
    target: canon.path + target.query,
    fields: clientFields(read.rawPairs),
    body: read.body,
  };
  const seen = Buffer.from(final.headers["x-read"] ?? "", "base64").toString();
  return seen === stringify(expected)
    ? null
    : `forwarded ${seen.slice(0, 300)}, expected ${stringify(expected).slice(0, 300)}`;
}

function headOf(bytes: Buffer): string {
  const text = bytes.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end + 2);
}

/** One case where the node did not do what the engine's verdict says. */
export interface NodeDifference {
  readonly name: string;
  readonly why: string;
  readonly bytes: Buffer;
}

/** Runs every case through the node (at most `concurrency` at a time). */
export async function nodeDifferential(
  node: NodeUnderTest,
  cases: readonly CorpusCase[],
  concurrency = 8,
): Promise<{ compared: number; differences: NodeDifference[] }> {
  const differences: NodeDifference[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const answer = await rawExchange(node.port, c.bytes, { end: true });
      const why = answer.timedOut ? "no close within 5 s" : mismatch(c.bytes, engineVerdict(c.bytes), answer.bytes);
      if (why !== null) differences.push({ name: c.name, why, bytes: c.bytes });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { compared: cases.length, differences };
}

/** What a fuzz run against the node found. */
export interface NodeFuzzResult extends FuzzResult {
  /** The node answered a plain request after the run. */
  readonly alive: boolean;
}

/**
 * {@link fuzzPort} against the node: `requests` generated requests (seeded), one to four
 * pipelined per connection, `concurrency` connections at a time; then a plain request to see the
 * node alive. The node's own refusals of HEAD requests carry no mark: an answer followed at once
 * by the next status line had no body.
 */
export async function fuzzNode(
  node: NodeUnderTest,
  requests: number,
  seed: number,
  concurrency = 32,
): Promise<NodeFuzzResult> {
  const r = await fuzzPort(node.port, requests, seed, concurrency, {
    bodylessHeader: HEAD_MARK,
    finalBodyOptional: true,
    bodylessBeforeStatusLine: true,
  });
  const probe = await rawExchange(node.port, "GET /alive HTTP/1.1\r\nHost: a\r\n\r\n", { end: true });
  return { ...r, alive: probe.responses.some((x) => x.status >= 200) };
}
