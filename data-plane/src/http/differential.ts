/**
 * The differential check of the engine against node:http: each request of a corpus is read by
 * the engine (in process: RequestHeadParser, BodyDecoder) and sent to a real node:http server on
 * 127.0.0.1:0 configured as proxy/proxy-server.ts configures it (strict llhttp, no Host
 * requirement, no header count cap). Both sides then apply the checks Palisade's
 * `request_filter` makes before routing today (request/framing.ts, target.ts, authority.ts, the
 * header count, the WebSocket upgrade rule), so the node side is exactly Palisade's verdict
 * today. A verdict is the answer's status, or "accepted" with what was read: method, target,
 * version, every field line (name as sent, value), body.
 *
 * Differences are grouped by a key (what each side said) and checked against
 * differential-known.ts, where each accepted difference carries its reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { resolveAuthority } from "../request/authority.js";
import { scanHeaders } from "../request/framing.js";
import { parseRequestTarget } from "../request/target.js";
import { BodyDecoder } from "./body-decoder.js";
import { INVALID, NEED_MORE } from "./field-line.js";
import type { CorpusCase } from "./request-corpus.js";
import { RequestHeadParser, type RequestLimits } from "./request-parser.js";
import { readResponses } from "./wire-responses.js";

/** Limits both sides use (node's maxHeaderSize = maxHeaderBytes). */
export const DIFF_LIMITS: RequestLimits = { maxHeaderBytes: 16_384, maxRequestLineBytes: 16_384, maxHeaders: 100 };

/** What one side made of a request. */
export type Verdict =
  | { readonly kind: "accepted"; readonly read: string }
  | { readonly kind: "refused"; readonly status: number; readonly why: string }
  | { readonly kind: "closed" }
  | { readonly kind: "timeout" };

/** The checks request_filter makes before routing, on what was read (shared by both sides). */
function palisadeChecks(
  rawPairs: readonly string[],
  method: string,
  url: string,
  major: number,
  minor: number,
  upgrade: boolean,
  trailing: boolean,
): string | null {
  if (rawPairs.length > 2 * DIFF_LIMITS.maxHeaders) return "431 header_count";
  const scan = scanHeaders(rawPairs, major, minor, method);
  if (typeof scan === "string") return `400 ${scan}`;
  const target = parseRequestTarget(url);
  if (typeof target === "string") return `400 ${target}`;
  const authority = resolveAuthority(target.authority, target.scheme, scan.hosts, minor === 1);
  if (typeof authority === "string") return `400 ${authority}`;
  if (upgrade && (trailing || scan.contentLength !== null || scan.chunked)) return "400 upgrade_with_body";
  return null;
}

function describe(method: string, url: string, version: string, rawPairs: readonly string[], body: Buffer): string {
  return JSON.stringify({ method, url, version, rawPairs, body: body.toString("base64") });
}

/** The engine's verdict on `bytes` (the connection ends after them, as the node side's client does). */
export function engineVerdict(bytes: Buffer): Verdict {
  const parser = new RequestHeadParser(DIFF_LIMITS);
  const at = parser.execute(bytes, 0);
  if (at === INVALID) return { kind: "refused", status: parser.error!.status, why: parser.error!.reason };
  if (at === NEED_MORE)
    return parser.started ? { kind: "refused", status: 400, why: "message_incomplete" } : { kind: "closed" };
  const head = parser.head!;
  const raw = head.rawPairs();
  const upgrade = head.upgrade;
  const refused = palisadeChecks(raw, head.method, head.target, 1, head.minor, upgrade, at < bytes.length);
  if (refused !== null) return { kind: "refused", status: Number(refused.slice(0, 3)), why: refused.slice(4) };
  let body = Buffer.alloc(0);
  if (!upgrade && head.hasBody) {
    const decoder = new BodyDecoder(DIFF_LIMITS.maxHeaderBytes, DIFF_LIMITS.maxHeaders);
    decoder.reset(head.bodyKind, head.contentLength ?? 0);
    const parts: Buffer[] = [];
    const r = decoder.decode(bytes, at, bytes.length, { onBodyData: (d) => parts.push(d) > 0 });
    if (r === INVALID) return { kind: "refused", status: 400, why: decoder.error! };
    if (!decoder.complete && !decoder.finish()) return { kind: "refused", status: 400, why: decoder.error! };
    body = Buffer.concat(parts);
  }
  return { kind: "accepted", read: describe(head.method, head.target, head.version, raw, body) };
}

/**
 * A node:http server as the proxy configures it, answering each request with a JSON
 * description of what it read (or the status Palisade's checks give), and clientErrors as
 * proxy-server.ts maps them (431 for header overflow, 408 for timeouts, else 400).
 */
export class NodeOracle {
  readonly #server: Server;
  port = 0;

  constructor() {
    this.#server = createServer(
      { insecureHTTPParser: false, requireHostHeader: false, maxHeaderSize: DIFF_LIMITS.maxHeaderBytes },
      (req, res) => this.#onRequest(req, res),
    );
    this.#server.maxHeadersCount = 0;
    this.#server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
      // Only the first request is judged: an error in bytes after it waits for its answer.
      if ((socket as { _httpMessage?: unknown })._httpMessage) return;
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
      socket.end(`HTTP/1.1 ${status} X\r\nx-why: ${err.code}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    });
    this.#server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const refused = nodeChecks(req, true, head.length > 0);
      const text =
        refused !== null
          ? `HTTP/1.1 ${refused.slice(0, 3)} X\r\nx-why: ${refused.slice(4)}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`
          : okAnswer(describe(req.method ?? "", req.url ?? "", req.httpVersion, req.rawHeaders, Buffer.alloc(0)));
      socket.on("error", () => {});
      socket.end(text);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refused = nodeChecks(req, false, false);
    if (refused !== null) {
      const why = refused;
      res.writeHead(Number(why.slice(0, 3)), { "x-why": why.slice(4), connection: "close" }).end();
      req.resume();
      return;
    }
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      // In a header: a HEAD answer has no body.
      const read = describe(req.method ?? "", req.url ?? "", req.httpVersion, req.rawHeaders, Buffer.concat(parts));
      res.writeHead(200, { "x-read": Buffer.from(read).toString("base64") }).end();
    });
    req.on("error", () => {});
  }

  /** node's verdict on `bytes`: sent on a new connection, then the sending side shut. */
  verdict(bytes: Buffer, timeoutMs = 2_000): Promise<Verdict> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let done = false;
      const socket = connect({ port: this.port, host: "127.0.0.1", allowHalfOpen: true }, () => {
        socket.write(bytes);
        socket.end();
      });
      const finish = (v: Verdict) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(v);
      };
      const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
      const judge = () => {
        const all = Buffer.concat(chunks);
        if (all.length === 0) return finish({ kind: "closed" });
        const r = readResponses(all, [], true);
        const first = r.responses[0];
        if (first === undefined) return finish({ kind: "closed" });
        if (first.status === 200)
          return finish({ kind: "accepted", read: Buffer.from(first.headers["x-read"] ?? "", "base64").toString() });
        finish({ kind: "refused", status: first.status, why: first.headers["x-why"] ?? "" });
      };
      socket.on("data", (c: Buffer) => {
        chunks.push(c);
        const r = readResponses(Buffer.concat(chunks), [], false);
        if (r.responses.length > 0) judge();
      });
      socket.on("close", judge);
      socket.on("error", () => {});
    });
  }
}

/** {@link palisadeChecks} on what node:http read. */
function nodeChecks(req: IncomingMessage, upgrade: boolean, trailing: boolean): string | null {
  const { rawHeaders, method, url, httpVersionMajor, httpVersionMinor } = req;
  return palisadeChecks(rawHeaders, method ?? "", url ?? "", httpVersionMajor, httpVersionMinor, upgrade, trailing);
}

function okAnswer(read: string): string {
  return `HTTP/1.1 200 OK\r\nx-read: ${Buffer.from(read).toString("base64")}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`;
}

/** One case where the two verdicts differ. */
export interface Difference {
  readonly name: string;
  /** `engine <what> / node <what>`: the group it belongs to. */
  readonly key: string;
  readonly bytes: Buffer;
  readonly engine: Verdict;
  readonly node: Verdict;
}

function short(v: Verdict): string {
  switch (v.kind) {
    case "accepted":
      return "accepted";
    case "refused":
      return `${v.status} ${v.why}`;
    default:
      return v.kind;
  }
}

/**
 * The difference between the two verdicts on one case, `null` when they agree: both accepted
 * with the same reading, or both refused with the same status.
 */
export function compare(name: string, bytes: Buffer, engine: Verdict, node: Verdict): Difference | null {
  if (engine.kind === "accepted" && node.kind === "accepted") {
    if (engine.read === node.read) return null;
    return { name, key: "engine accepted / node accepted, read differently", bytes, engine, node };
  }
  if (engine.kind === "refused" && node.kind === "refused" && engine.status === node.status) return null;
  const e = engine.kind === "refused" ? `${engine.status} ${engine.why}` : short(engine);
  const n = node.kind === "refused" ? String(node.status) : short(node);
  return { name, key: `engine ${e} / node ${n}`, bytes, engine, node };
}

/** Runs every case through both sides (at most `concurrency` node exchanges at a time). */
export async function runDifferential(
  cases: readonly CorpusCase[],
  oracle: NodeOracle,
  concurrency = 16,
): Promise<{ differences: Difference[]; compared: number }> {
  const differences: Difference[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const [engine, node] = [engineVerdict(c.bytes), await oracle.verdict(c.bytes)];
      const d = compare(c.name, c.bytes, engine, node);
      if (d !== null) differences.push(d);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { differences, compared: cases.length };
}
