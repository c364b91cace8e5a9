/**
 * A reader of HTTP/1.1 responses off raw bytes, for tests and the fuzz harness: written apart
 * from the engine (regular expressions over latin1 text, no shared code) so that it judges the
 * engine's output independently. It checks what a client relies on: a status line, well-formed
 * field lines, one framing (Content-Length or chunked; none for HEAD, 1xx, 204, 304), and a body
 * that matches it.
 */

/** One response as read. */
export interface WireResponse {
  readonly status: number;
  /** Lower-case names; repeated fields joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What {@link readResponses} found. */
export interface WireReading {
  readonly responses: WireResponse[];
  /** Why reading stopped before the end of the bytes, `null` when every byte was a response. */
  readonly error: string | null;
}

const STATUS = /^HTTP\/1\.[01] ([1-9][0-9]{2}) [\t -~\x80-\xff]*\r\n/;
const FIELD = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t -~\x80-\xff]*?)[ \t]*\r\n/;

/** How a reader that does not know the requests tells which answers have no body. */
export interface WireOptions {
  /** A response carrying this header has no body (its server marks answers to HEAD). */
  readonly bodylessHeader?: string;
  /**
   * The last response of a closed connection may lack its body (an error answer to a request the
   * reader cannot tell was HEAD): its body is then empty, never cut short.
   */
  readonly finalBodyOptional?: boolean;
  /**
   * A response whose own bytes end where the next status line starts, though its framing
   * announces a body, was an answer to HEAD (a server's own refusal of a HEAD request carries no
   * mark): its body is empty. Used only where no body can start with `HTTP/1.`.
   */
  readonly bodylessBeforeStatusLine?: boolean;
}

/**
 * Reads every response in `bytes`.
 * @param methods the request method of each response in order (HEAD responses have no body);
 *   missing entries count as GET
 * @param closed the connection closed after these bytes (a body may end with it)
 */
export function readResponses(
  bytes: Buffer,
  methods: readonly string[] = [],
  closed = true,
  opts: WireOptions = {},
): WireReading {
  const text = bytes.toString("latin1");
  const responses: WireResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const line = STATUS.exec(text.slice(at, at + 8192));
    if (line === null)
      return { responses, error: `no status line at ${at}: ${JSON.stringify(text.slice(at, at + 40))}` };
    const status = Number(line[1]);
    at += line[0].length;
    const headers: Record<string, string> = {};
    let cl: string | undefined;
    let te: string | undefined;
    for (;;) {
      if (text.startsWith("\r\n", at)) {
        at += 2;
        break;
      }
      const f = FIELD.exec(text.slice(at, at + 65536));
      if (f === null)
        return { responses, error: `bad field line at ${at}: ${JSON.stringify(text.slice(at, at + 40))}` };
      at += f[0].length;
      const name = f[1]!.toLowerCase();
      if (name === "content-length") {
        if (cl !== undefined) return { responses, error: "two content-length fields" };
        cl = f[2]!;
      }
      if (name === "transfer-encoding") te = f[2]!;
      headers[name] = headers[name] === undefined ? f[2]! : `${headers[name]}, ${f[2]}`;
    }
    if (status < 200) continue; // interim (100 Continue): the final response follows
    const method = methods[responses.length] ?? "GET";
    const marked = opts.bodylessHeader !== undefined && headers[opts.bodylessHeader] !== undefined;
    const unsent = opts.finalBodyOptional === true && closed && at === text.length;
    const bodyless =
      method === "HEAD" ||
      status === 204 ||
      status === 304 ||
      marked ||
      unsent ||
      (opts.bodylessBeforeStatusLine === true && headAnswer(text, at, cl));
    if (cl !== undefined && te !== undefined) return { responses, error: "content-length with transfer-encoding" };
    if (status === 204 && (cl !== undefined || te !== undefined)) return { responses, error: "framing on a 204" };
    let body: Buffer = Buffer.alloc(0);
    if (!bodyless) {
      if (te !== undefined) {
        if (te.toLowerCase() !== "chunked") return { responses, error: `transfer-encoding ${te}` };
        const parts: Buffer[] = [];
        for (;;) {
          const size = /^([0-9a-fA-F]{1,8})\r\n/.exec(text.slice(at, at + 16));
          if (size === null) return { responses, error: `bad chunk size at ${at}` };
          at += size[0].length;
          const n = Number.parseInt(size[1]!, 16);
          if (n === 0) {
            if (!text.startsWith("\r\n", at)) return { responses, error: "trailers or no final CRLF" };
            at += 2;
            break;
          }
          if (at + n + 2 > text.length) return { responses, error: "chunk cut short" };
          parts.push(bytes.subarray(at, at + n));
          at += n;
          if (!text.startsWith("\r\n", at)) return { responses, error: "chunk data overrun" };
          at += 2;
        }
        body = Buffer.concat(parts);
      } else if (cl !== undefined) {
        if (!/^[0-9]+$/.test(cl)) return { responses, error: `content-length ${cl}` };
        const n = Number(cl);
        if (at + n > text.length) return { responses, error: "body cut short" };
        body = bytes.subarray(at, at + n);
        at += n;
      } else {
        if (!closed) return { responses, error: "a body delimited by close on an open connection" };
        body = bytes.subarray(at);
        at = text.length;
      }
    }
    responses.push({ status, headers, body });
  }
  return { responses, error: null };
}

/**
 * Whether the response whose head ends at `at` reads as an answer to HEAD: a status line follows
 * at once, and its framing's body (Content-Length `cl`, else chunked) would not end on a status
 * line or the end of the bytes.
 */
function headAnswer(text: string, at: number, cl: string | undefined): boolean {
  if (!STATUS.test(text.slice(at, at + 8192))) return false;
  if (cl === undefined || !/^[0-9]+$/.test(cl)) return true;
  const end = at + Number(cl);
  return end !== text.length && !STATUS.test(text.slice(end, end + 8192));
}
