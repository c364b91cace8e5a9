import type { ByteString } from "../bytes.js";
import { utf8Bytes } from "../bytes.js";
import type { Header } from "../engine/input.js";
import type { FtwInput } from "./ftw.js";

/** A decoded request: the parts the engine takes. */
export interface DecodedRequest {
  readonly method: ByteString;
  readonly target: ByteString;
  readonly protocol: ByteString;
  readonly headers: readonly Header[];
  readonly body: ByteString;
}

/**
 * Decides whether an HTTP front end refuses a raw request before the WAF sees it: a 4xx status,
 * or null to accept. The conformance runner's default is {@link decodeRequest}'s checks; Palisade's
 * strict HTTP parser plugs in here.
 */
export type RefusalHook = (raw: ByteString) => number | null;

/**
 * The raw bytes go-ftw sends for a stage (its documented request building, which CRS's expected
 * results assume): the request line as written; headers sorted by name, one per name; with
 * `autocomplete_headers` (the default) and data, `Content-Type: application/x-www-form-urlencoded`
 * is added when no header is spelt exactly `Content-Type`, and form data that is not already
 * escaped gets each name and value URL-encoded (Go's url.QueryEscape); a multipart body has its
 * LF line ends made CRLF; then `Connection: close` and `Content-Length` are added when absent
 * (Content-Length also for an empty body of POST/PUT/PATCH/DELETE). `encoded_request` is
 * decoded from base64 and sent as is.
 */
export function rawRequest(input: FtwInput): ByteString {
  if (input.encoded_request !== undefined) return Buffer.from(input.encoded_request, "base64").toString("latin1");
  const method = utf8Bytes(input.method ?? "GET");
  const uri = utf8Bytes(input.uri ?? "/");
  const version = utf8Bytes(input.version ?? "HTTP/1.1");
  let data = utf8Bytes(Array.isArray(input.data) ? input.data.join("\r\n") : (input.data ?? ""));
  const headers = new Map<string, string>(
    Object.entries(input.headers ?? {}).map(([k, v]) => [utf8Bytes(k), utf8Bytes(String(v))]),
  );
  const auto = input.autocomplete_headers ?? true;
  const add = (k: string, v: string) => {
    if (!headers.get(k)) headers.set(k, v);
  };
  if (data.length > 0 && auto) {
    add("Content-Type", "application/x-www-form-urlencoded");
    if (headers.get("Content-Type") === "application/x-www-form-urlencoded" && queryUnescape(data) === data)
      data = data
        .split("&")
        .map((pair) => {
          const eq = pair.indexOf("=");
          return eq < 0 ? queryEscape(pair) : `${queryEscape(pair.slice(0, eq))}=${queryEscape(pair.slice(eq + 1))}`;
        })
        .join("&");
  }
  if ((headers.get("Content-Type") ?? "").startsWith("multipart/form-data;")) data = data.replaceAll("\n", "\r\n");
  if (auto) {
    add("Connection", "close");
    if (data.length > 0 || /^POST|PUT|PATCH|DELETE$/.test(method)) add("Content-Length", String(data.length));
  }
  let head = `${method} ${uri} ${version}\r\n`;
  for (const k of [...headers.keys()].sort()) head += `${k}: ${headers.get(k)}\r\n`;
  return `${head}\r\n${data}`;
}

/** Go's url.QueryUnescape: `+` is a space, `%XX` a byte; null on an invalid escape. */
function queryUnescape(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "+") out += " ";
    else if (c === "%") {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return null;
      out += String.fromCharCode(Number.parseInt(h, 16));
      i += 2;
    } else out += c;
  }
  return out;
}

/** Go's url.QueryEscape over bytes: unreserved characters stay, a space is `+`, the rest `%XX`. */
function queryEscape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e
    )
      out += s[i];
    else if (c === 0x20) out += "+";
    else out += `%${c.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The conformance runner's own small HTTP/1.x request decoder (test harness code, not
 * Palisade's proxy parser): splits the request line, headers and body, and refuses (400) what an
 * RFC 9112 server refuses — a request line that is not `method SP target SP HTTP/n.n`, a method
 * that is not a token, white space or control bytes in the target, a target that is not
 * origin-form, absolute-form or `*` (or host:port for CONNECT), a header name that is not a token or a value with control bytes, folded header
 * lines, a Content-Length that is not digits. The body is what follows the head (chunked bodies
 * are de-chunked; otherwise the body is Content-Length bytes, or none without it, RFC 9112 section 6.3).
 */
export function decodeRequest(raw: ByteString): DecodedRequest | { refused: number; reason: string } {
  const refuse = (reason: string) => ({ refused: 400, reason });
  let end = raw.indexOf("\r\n\r\n");
  let sep = 4;
  if (end < 0) {
    end = raw.indexOf("\n\n");
    sep = 2;
  }
  if (end < 0) {
    end = raw.length;
    sep = 0;
  }
  const lines = raw.slice(0, end).split(/\r?\n/);
  let body = raw.slice(end + sep);
  const requestLine = lines[0] ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3) return refuse("request line is not method SP target SP version");
  const [method, target, protocol] = parts as [string, string, string];
  if (!TOKEN.test(method)) return refuse("method is not a token");
  if (!/^HTTP\/[1-9](?:\.\d)?$/.test(protocol)) return refuse("version is not HTTP/n.n (n ≥ 1)");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is refused
  if (/[\x00-\x20\x7f]/.test(target)) return refuse("target has white space or control bytes");
  if (method === "CONNECT") {
    if (!/^[^/]+:\d+$/.test(target)) return refuse("CONNECT target is not host:port");
  } else if (!target.startsWith("/") && target !== "*" && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target))
    return refuse("target is not origin-form, absolute-form or *");
  const headers: Header[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith(" ") || line.startsWith("\t")) return refuse("obsolete line folding");
    const colon = line.indexOf(":");
    if (colon <= 0) return refuse("header line without a name");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return refuse("header name is not a token");
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is refused
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return refuse("header value has control bytes");
    if (name.toLowerCase() === "content-length" && !/^\d+$/.test(value)) return refuse("Content-Length is not digits");
    headers.push([name, value]);
  }
  const te = headers.find(([k]) => k.toLowerCase() === "transfer-encoding")?.[1].toLowerCase();
  if (te === "chunked") {
    const d = dechunk(body);
    if (d === null) return refuse("bad chunked body");
    body = d;
  } else {
    // RFC 9112 section 6.3: without Transfer-Encoding the body is Content-Length bytes, else none.
    const cl = headers.find(([k]) => k.toLowerCase() === "content-length")?.[1];
    body = cl === undefined ? "" : body.slice(0, Number(cl));
  }
  return { method, target, protocol, headers, body };
}

function dechunk(body: string): string | null {
  let out = "";
  let i = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", i);
    if (eol < 0) return null;
    const size = Number.parseInt(body.slice(i, eol).split(";")[0]!, 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}
