import { connect, type Socket } from "node:net";

/**
 * A raw HTTP/1.1 client for tests: writes the given bytes to a socket exactly as they are (no
 * client-side normalization of the path, no header de-duplication, any framing), and parses the
 * responses that come back, with timing of when each arrived relative to the bytes sent
 * (streamRaw). Used by the request-reading and traffic-protection tiers; raw-http.ts is the
 * simpler one-shot exchange the authentication tiers use. (Two helpers from two branches that
 * were written in parallel; they share no state.)
 */

/** One response as received. */
export interface RawResponse {
  status: number;
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  /** name, value, … in order as received. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json: () => any;
}

/** What a raw exchange produced. */
export interface RawResult {
  responses: RawResponse[];
  /** The server closed the connection (FIN or reset). */
  closed: boolean;
  /** Every byte received. */
  bytes: Buffer;
  /** The guard timeout fired (the server neither answered as expected nor closed). */
  timedOut: boolean;
}

/** Options of {@link sendRaw}. */
export interface RawOptions {
  /** Stop (and close) once this many complete responses arrived; default: wait for the server to close. */
  responses?: number;
  /** Responses to HEAD requests have no body: their indexes among the responses. */
  headIndexes?: number[];
  /** Guard against a hang, ms (default 15,000): the result then has `timedOut`. */
  timeoutMs?: number;
}

/** Parses as many complete responses as `buf` holds. */
export function parseResponses(buf: Buffer, headIndexes: number[] = [], closed = false): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf("\r\n\r\n", at);
    if (end === -1) break;
    const head = buf.subarray(at, end).toString("latin1").split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "");
    if (!m) break;
    const status = Number(m[1]);
    const rawHeaders: string[] = [];
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const c = line.indexOf(":");
      const name = line.slice(0, c);
      const value = line.slice(c + 1).trim();
      rawHeaders.push(name, value);
      const k = name.toLowerCase();
      headers[k] = headers[k] === undefined ? value : `${headers[k]}, ${value}`;
    }
    let bodyStart = end + 4;
    let body: Buffer;
    const noBody =
      headIndexes.includes(out.length) || status === 204 || status === 304 || (status >= 100 && status < 200);
    if (noBody) {
      body = Buffer.alloc(0);
    } else if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
      const parts: Buffer[] = [];
      let p = bodyStart;
      let done = false;
      for (;;) {
        const le = buf.indexOf("\r\n", p);
        if (le === -1) break;
        const size = Number.parseInt(buf.subarray(p, le).toString("latin1"), 16);
        if (size === 0) {
          const te = buf.indexOf("\r\n\r\n", le);
          if (te === -1) break;
          p = te + 4;
          done = true;
          break;
        }
        if (le + 2 + size + 2 > buf.length) break;
        parts.push(buf.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(parts);
      bodyStart = p;
      at = p;
      out.push(mk(status, headers, rawHeaders, body));
      continue;
    } else if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      if (bodyStart + n > buf.length) break;
      body = buf.subarray(bodyStart, bodyStart + n);
      bodyStart += n;
    } else {
      if (!closed) break;
      body = buf.subarray(bodyStart);
      bodyStart = buf.length;
    }
    out.push(mk(status, headers, rawHeaders, body));
    at = bodyStart;
  }
  return out;
}

function mk(status: number, headers: Record<string, string>, rawHeaders: string[], body: Buffer): RawResponse {
  const text = body.toString("utf8");
  return { status, headers, rawHeaders, body, text, json: () => JSON.parse(text) };
}

/**
 * Sends `data` (written in the order given, each piece as is) on a new connection to
 * 127.0.0.1:`port` and collects the answers.
 */
export function sendRaw(
  port: number,
  data: string | Buffer | Array<string | Buffer>,
  opts: RawOptions = {},
): Promise<RawResult> {
  return exchange(port, opts, async (s) => {
    for (const piece of Array.isArray(data) ? data : [data]) {
      if (!s.writable) return;
      s.write(typeof piece === "string" ? Buffer.from(piece, "latin1") : piece);
    }
  });
}

/**
 * Writes `head` then the chunks `body` yields, honouring backpressure, and stops writing when the
 * server answers and closes; collects the answers meanwhile. For uploads a gateway must cut off.
 */
export function streamRaw(
  port: number,
  head: string,
  body: Iterable<Buffer | string>,
  opts: RawOptions = {},
): Promise<RawResult> {
  return exchange(port, opts, async (s) => {
    s.write(Buffer.from(head, "latin1"));
    for (const chunk of body) {
      if (!s.writable || s.destroyed) return;
      if (!s.write(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk)) {
        const go = await new Promise<boolean>((resolve) => {
          const onDrain = () => {
            s.off("close", onClose);
            resolve(true);
          };
          const onClose = () => {
            s.off("drain", onDrain);
            resolve(false);
          };
          s.once("drain", onDrain);
          s.once("close", onClose);
        });
        if (!go) return;
      }
    }
  });
}

function exchange(port: number, opts: RawOptions, write: (s: Socket) => Promise<void>): Promise<RawResult> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    let finished = false;
    const finish = (timedOut: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      const bytes = Buffer.concat(chunks);
      s.destroy();
      resolve({ responses: parseResponses(bytes, opts.headIndexes, closed), closed, bytes, timedOut });
    };
    const guard = setTimeout(() => finish(true), opts.timeoutMs ?? 15_000);
    s.on("data", (c: Buffer) => {
      chunks.push(c);
      if (opts.responses !== undefined) {
        const got = parseResponses(Buffer.concat(chunks), opts.headIndexes, false);
        if (got.length >= opts.responses) finish(false);
      }
    });
    s.on("error", () => {});
    s.on("close", () => {
      closed = true;
      finish(false);
    });
    s.on("end", () => {
      closed = true;
      finish(false);
    });
    s.on("connect", () => {
      write(s).catch(() => {});
    });
  });
}

/** Builds a request: request line, header lines in order (as given, duplicates kept), CRLFs, body. */
export function rawRequest(
  method: string,
  target: string,
  headers: Array<[string, string]>,
  body = "",
  version = "HTTP/1.1",
): string {
  return `${method} ${target} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body}`;
}
