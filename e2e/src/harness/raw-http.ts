import { connect } from "node:net";

/** One HTTP/1.1 response parsed from raw bytes. */
export interface RawResponse {
  status: number;
  /** Header lines in order, names as sent. */
  headers: [string, string][];
  body: string;
}

/**
 * Sends `bytes` exactly as given on a fresh TCP connection to 127.0.0.1:`port` (no
 * normalization, no header de-duplication: the way an attacker sends) and returns every byte
 * received until the server closes the connection, or until `responses` complete responses
 * have arrived (then the client closes). The client never half-closes first: node:http drops a
 * pending response when the client sends FIN. `maxWaitMs` only guards against a hang (the
 * socket is then destroyed and what arrived is returned).
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  opts: { responses?: number; maxWaitMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), opts.maxWaitMs ?? 10_000);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (opts.responses !== undefined) {
        const text = Buffer.concat(chunks).toString("latin1");
        if (completeResponses(text) >= opts.responses) socket.destroy();
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // A reset after the answer was sent still counts as an answer.
      if (err.code === "ECONNRESET" && chunks.length > 0) return;
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

/** How many complete responses `raw` holds (bodies framed by Content-Length or chunked). */
function completeResponses(raw: string): number {
  let n = 0;
  let rest = raw;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (!rest.startsWith("HTTP/1.") || end === -1) return n;
    const head = rest.slice(0, end).toLowerCase();
    rest = rest.slice(end + 4);
    const status = Number(head.split(" ")[1]);
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
      const last = rest.indexOf("\r\n0\r\n\r\n");
      const first = rest.startsWith("0\r\n\r\n") ? 0 : -1;
      const at = first === 0 ? 0 : last === -1 ? -1 : last + 2;
      if (at === -1) return n;
      rest = rest.slice(at + 5);
    } else if (cl) {
      if (rest.length < Number(cl[1])) return n;
      rest = rest.slice(Number(cl[1]));
    } else if (status >= 200 && status !== 204 && status !== 304) {
      return n; // body runs to the close
    }
    n++;
  }
}

/** Builds a request from lines (CRLF added) and a body. */
export function rawRequest(lines: string[], body = ""): string {
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/**
 * Parses every HTTP/1.1 response in `raw` (content-length or chunked bodies; a response without
 * either runs to the end).
 */
export function parseResponses(raw: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw;
  while (rest.startsWith("HTTP/1.")) {
    const end = rest.indexOf("\r\n\r\n");
    if (end === -1) break;
    const lines = rest.slice(0, end).split("\r\n");
    const status = Number(lines[0]!.split(" ")[1]);
    const headers = lines.slice(1).map((l) => {
      const i = l.indexOf(":");
      return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
    });
    const get = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
    rest = rest.slice(end + 4);
    let body = "";
    const cl = get("content-length");
    if (get("transfer-encoding")?.toLowerCase() === "chunked") {
      for (;;) {
        const nl = rest.indexOf("\r\n");
        const size = Number.parseInt(rest.slice(0, nl), 16);
        rest = rest.slice(nl + 2);
        if (!size) {
          rest = rest.slice(rest.indexOf("\r\n") + 2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else if (cl !== undefined) {
      body = rest.slice(0, Number(cl));
      rest = rest.slice(Number(cl));
    } else if (status >= 200 && status !== 204 && status !== 304) {
      body = rest;
      rest = "";
    }
    out.push({ status, headers, body });
  }
  return out;
}

/** The value of header `name` (case-insensitive) in a parsed response. */
export function headerOf(r: RawResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}
