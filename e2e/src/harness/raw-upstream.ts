import { type AddressInfo, createServer, type Server, type Socket } from "node:net";

/**
 * An echo upstream that records exactly what it received: for every connection, each request's
 * line, its header lines in order (duplicates and case kept) and its body bytes, parsed by this
 * file (not node:http, which would fold duplicates and normalize). Keep-alive is on, so a
 * request smuggled inside another's body shows up as an extra request on the connection; a
 * request whose body never completed (the connection closed first) is recorded with
 * `complete: false`. Answers each complete request with 200 and a JSON echo.
 *
 * Test paths (for case C33): `/files/cookie` answers with `Set-Cookie: a=b<0x01>c`,
 * `/files/report` with a Content-Disposition holding raw UTF-8 bytes.
 */

/** One request as the upstream read it. */
export interface RecordedRequest {
  /** Connection number (1-based, in accept order). */
  connection: number;
  /** The request line as received. */
  line: string;
  method: string;
  target: string;
  version: string;
  /** [name, value] in order, as received (value trimmed of OWS). */
  headers: Array<[string, string]>;
  body: Buffer;
  /** False when the connection closed before the body was complete. */
  complete: boolean;
}

/** Reads header `name` (case-insensitive): every value, in order. */
export function headerValues(r: RecordedRequest, name: string): string[] {
  const n = name.toLowerCase();
  return r.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

/** The upstream itself. */
export class RawRecordingUpstream {
  readonly name: string;
  readonly requests: RecordedRequest[] = [];
  /** Raw bytes received, per connection. */
  readonly bytes: Buffer[] = [];
  port = 0;
  #server: Server;
  #sockets = new Set<Socket>();
  #conns = 0;

  constructor(name = "upstream-a") {
    this.name = name;
    this.#server = createServer((s) => this.#onConnection(s));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Requests whose target starts with `prefix`. */
  to(prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.target.startsWith(prefix));
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #onConnection(s: Socket): void {
    const id = ++this.#conns;
    this.#sockets.add(s);
    let buf = Buffer.alloc(0);
    let pending: RecordedRequest | null = null;
    const index = this.bytes.push(Buffer.alloc(0)) - 1;
    s.on("error", () => {});
    s.on("close", () => {
      this.#sockets.delete(s);
      if (pending !== null) this.requests.push(pending);
    });
    s.on("data", (chunk: Buffer) => {
      this.bytes[index] = Buffer.concat([this.bytes[index]!, chunk]);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = parseRequest(buf, id);
        if (r === null) {
          pending = partial(buf, id);
          return;
        }
        if (r === "error") {
          this.requests.push({ ...(partial(buf, id) ?? emptyRequest(id)), complete: false });
          pending = null;
          s.destroy();
          return;
        }
        pending = null;
        buf = buf.subarray(r.used);
        this.requests.push(r.request);
        this.#answer(s, r.request);
      }
    });
  }

  #answer(s: Socket, r: RecordedRequest): void {
    const extra: string[] = [];
    if (r.target.endsWith("/files/cookie")) extra.push("Set-Cookie: a=b\x01c");
    if (r.target.endsWith("/files/report"))
      extra.push('Content-Disposition: attachment; filename="r\xc3\xa9sum\xc3\xa9.pdf"');
    const body = Buffer.from(
      JSON.stringify({
        upstream: this.name,
        method: r.method,
        target: r.target,
        headers: r.headers,
        body: r.body.toString("latin1"),
      }),
    );
    const head =
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n` +
      `x-upstream: ${this.name}\r\nserver: EchoServer/1.0\r\nx-powered-by: Echo\r\n` +
      `${extra.map((e) => `${e}\r\n`).join("")}\r\n`;
    s.write(Buffer.concat([Buffer.from(head, "latin1"), r.method === "HEAD" ? Buffer.alloc(0) : body]));
  }
}

function emptyRequest(connection: number): RecordedRequest {
  return {
    connection,
    line: "",
    method: "",
    target: "",
    version: "",
    headers: [],
    body: Buffer.alloc(0),
    complete: false,
  };
}

/** The head of an incomplete request, if the header section is complete. */
function partial(buf: Buffer, connection: number): RecordedRequest | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1)
    return buf.length > 0 ? { ...emptyRequest(connection), line: buf.toString("latin1").split("\r\n")[0]! } : null;
  const head = readHead(buf.subarray(0, end).toString("latin1"), connection);
  const chunked = head.headers.some(([k]) => k.toLowerCase() === "transfer-encoding");
  return { ...head, body: chunked ? dechunkPrefix(buf, end + 4) : buf.subarray(end + 4), complete: false };
}

/** The body bytes of the complete chunks of a chunked body that was cut short (framing removed). */
function dechunkPrefix(buf: Buffer, from: number): Buffer {
  const parts: Buffer[] = [];
  let p = from;
  for (;;) {
    const le = buf.indexOf("\r\n", p);
    if (le === -1) break;
    const size = Number.parseInt(buf.subarray(p, le).toString("latin1").split(";")[0]!, 16);
    if (!(size > 0)) break;
    const data = buf.subarray(le + 2, Math.min(le + 2 + size, buf.length));
    parts.push(data);
    if (le + 2 + size + 2 > buf.length) break;
    p = le + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function readHead(text: string, connection: number): RecordedRequest {
  const lines = text.split("\r\n");
  const line = lines[0]!;
  const [method = "", target = "", version = ""] = line.split(" ");
  const headers: Array<[string, string]> = lines.slice(1).map((l) => {
    const c = l.indexOf(":");
    return [l.slice(0, c), l.slice(c + 1).trim()];
  });
  return { connection, line, method, target, version, headers, body: Buffer.alloc(0), complete: true };
}

/** Parses one complete request at the start of `buf`: null = need more bytes. */
function parseRequest(buf: Buffer, connection: number): { request: RecordedRequest; used: number } | null | "error" {
  const end = buf.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const head = readHead(buf.subarray(0, end).toString("latin1"), connection);
  if (!/^[A-Z]+$/.test(head.method) || !head.version.startsWith("HTTP/1.")) return "error";
  const te = head.headers.filter(([k]) => k.toLowerCase() === "transfer-encoding").map(([, v]) => v.toLowerCase());
  const cl = head.headers.filter(([k]) => k.toLowerCase() === "content-length").map(([, v]) => v);
  let p = end + 4;
  if (te.length > 0) {
    const parts: Buffer[] = [];
    for (;;) {
      const le = buf.indexOf("\r\n", p);
      if (le === -1) return null;
      const size = Number.parseInt(buf.subarray(p, le).toString("latin1").split(";")[0]!, 16);
      if (Number.isNaN(size)) return "error";
      if (size === 0) {
        const te2 = buf.indexOf("\r\n\r\n", le);
        if (te2 === -1) return null;
        return { request: { ...head, body: Buffer.concat(parts) }, used: te2 + 4 };
      }
      if (le + 2 + size + 2 > buf.length) return null;
      parts.push(buf.subarray(le + 2, le + 2 + size));
      p = le + 2 + size + 2;
    }
  }
  const n = cl.length > 0 ? Number(cl[0]) : 0;
  if (Number.isNaN(n)) return "error";
  if (p + n > buf.length) return null;
  return { request: { ...head, body: buf.subarray(p, p + n) }, used: p + n };
}
