import type { Arg, ParsedBody } from "../body/body-processor.js";
import { parseCookies, parseQueryString } from "../body/index.js";
import type { ByteString } from "../bytes.js";
import { type Entry, entry, namesOf, scalar } from "./entry.js";
import type { RequestInput, ResponseInput } from "./input.js";
import { splitTarget, type TargetParts } from "./request-line.js";

/** The request body as the transaction processed it. */
export interface BodyState {
  /** REQUEST_BODY (possibly cut at the limit with ProcessPartial). */
  readonly raw: ByteString;
  /** REQBODY_PROCESSOR, or null when no processor ran. */
  readonly processor: string | null;
  readonly parsed: ParsedBody | null;
  /** Whether REQUEST_BODY holds the body (URLENCODED, or ctl:forceRequestBodyVariable=On). */
  readonly exposed: boolean;
}

const EMPTY: readonly Entry[] = [];

/**
 * The request/response variables of one transaction (everything but TX, MATCHED_*, RULE and the
 * persistent collections, which the transaction keeps). Each variable is built on first read and
 * kept until the data it derives from changes (the body, the response), so a variable no rule
 * reads is never built.
 */
export class RequestVariables {
  readonly input: RequestInput;
  readonly target: TargetParts;
  readonly #maxArgs: number;
  #cache = new Map<string, readonly Entry[]>();
  #argsGet: { args: readonly Arg[]; invalidEncoding: boolean } | null = null;
  body: BodyState | null = null;
  /** The processor chosen so far (content type or ctl:requestBodyProcessor), before the body is read. */
  processor: string | null = null;
  response: ResponseInput | null = null;
  responseBody: ByteString | null = null;
  #uniqueId: string | (() => string);
  readonly startedMs: number;

  /** `uniqueId`: UNIQUE_ID, or a function making it on first read. */
  constructor(input: RequestInput, maxArgs: number, uniqueId: string | (() => string), startedMs: number) {
    this.input = input;
    this.target = splitTarget(input.target);
    this.#maxArgs = maxArgs;
    this.#uniqueId = uniqueId;
    this.startedMs = startedMs;
  }

  /** UNIQUE_ID. */
  get uniqueId(): string {
    if (typeof this.#uniqueId === "function") this.#uniqueId = this.#uniqueId();
    return this.#uniqueId;
  }

  /** Drops built variables (after the body or the response arrives). */
  invalidate(): void {
    this.#cache.clear();
  }

  /** The query-string arguments (ARGS_GET). */
  argsGet(): { args: readonly Arg[]; invalidEncoding: boolean } {
    this.#argsGet ??= parseQueryString(this.target.query, this.#maxArgs);
    return this.#argsGet;
  }

  /** The first value of a request header (case-insensitive name), or undefined. */
  header(name: string): ByteString | undefined {
    const lname = name.toLowerCase();
    for (const [n, v] of this.input.headers) if (n.toLowerCase() === lname) return v;
    return undefined;
  }

  /** The entries of a variable (empty when it does not exist). */
  get(name: string): readonly Entry[] {
    const hit = this.#cache.get(name);
    if (hit !== undefined) return hit;
    const built = this.#build(name);
    this.#cache.set(name, built);
    return built;
  }

  #build(name: string): readonly Entry[] {
    const input = this.input;
    const body = this.body;
    const mp = body?.parsed?.multipart;
    const flag = (v: boolean | undefined) => [scalar(name, v ? "1" : "0")];
    switch (name) {
      case "ARGS_GET":
        return this.argsGet().args.map(([k, v]) => entry("ARGS_GET", k, v));
      case "ARGS_POST":
        return (body?.parsed?.args ?? []).map(([k, v]) => entry("ARGS_POST", k, v));
      case "ARGS":
        return [
          ...this.argsGet().args.map(([k, v]) => entry("ARGS", k, v)),
          ...(body?.parsed?.args ?? []).map(([k, v]) => entry("ARGS", k, v)),
        ];
      case "ARGS_NAMES":
        return namesOf("ARGS_NAMES", this.get("ARGS"));
      case "ARGS_GET_NAMES":
        return namesOf("ARGS_GET_NAMES", this.get("ARGS_GET"));
      case "ARGS_POST_NAMES":
        return namesOf("ARGS_POST_NAMES", this.get("ARGS_POST"));
      case "ARGS_COMBINED_SIZE": {
        let n = 0;
        for (const e of this.get("ARGS")) n += e.key.length + e.value.length;
        return [scalar(name, String(n))];
      }
      case "QUERY_STRING":
        return [scalar(name, this.target.query)];
      case "REQUEST_METHOD":
        return [scalar(name, input.method)];
      case "REQUEST_PROTOCOL":
        return [scalar(name, input.protocol)];
      case "REQUEST_URI":
        return [scalar(name, this.target.uri)];
      case "REQUEST_URI_RAW":
        return [scalar(name, input.target)];
      case "REQUEST_FILENAME":
        return [scalar(name, this.target.path)];
      case "REQUEST_BASENAME":
        return [scalar(name, this.target.basename)];
      case "REQUEST_LINE":
        return [scalar(name, `${input.method} ${input.target} ${input.protocol}`)];
      case "REQUEST_HEADERS":
        return input.headers.map(([k, v]) => entry(name, k, v));
      case "REQUEST_HEADERS_NAMES":
        return namesOf(name, this.get("REQUEST_HEADERS"));
      case "REQUEST_COOKIES": {
        const values: ByteString[] = [];
        for (const [n, v] of input.headers) if (n.toLowerCase() === "cookie") values.push(v);
        return values.length === 0 ? EMPTY : parseCookies(values).map(([k, v]) => entry(name, k, v));
      }
      case "REQUEST_COOKIES_NAMES":
        return namesOf(name, this.get("REQUEST_COOKIES"));
      case "REMOTE_ADDR":
        return [scalar(name, input.remoteAddress)];
      case "REMOTE_PORT":
        return [scalar(name, String(input.remotePort))];
      case "REMOTE_HOST":
        return [scalar(name, input.remoteAddress)];
      case "SERVER_ADDR":
        return [scalar(name, input.serverAddress ?? "127.0.0.1")];
      case "SERVER_PORT":
        return [scalar(name, String(input.serverPort ?? 80))];
      case "SERVER_NAME": {
        const host = this.header("host") ?? "";
        return [scalar(name, host.replace(/:\d+$/, ""))];
      }
      case "UNIQUE_ID":
        return [scalar(name, this.uniqueId)];
      case "URLENCODED_ERROR":
        return flag(this.argsGet().invalidEncoding || body?.parsed?.urlencodedError === true);
      case "REQBODY_PROCESSOR":
        return (body?.processor ?? this.processor) === null
          ? EMPTY
          : [scalar(name, (body?.processor ?? this.processor)!)];
      case "REQBODY_ERROR":
      case "REQBODY_PROCESSOR_ERROR":
        return flag(body?.parsed?.error != null);
      case "REQBODY_ERROR_MSG":
      case "REQBODY_PROCESSOR_ERROR_MSG":
        return [scalar(name, body?.parsed?.error ?? "")];
      case "REQUEST_BODY":
        return body === null || !body.exposed ? EMPTY : [scalar(name, body.raw)];
      case "REQUEST_BODY_LENGTH":
        return [scalar(name, String(body?.raw.length ?? 0))];
      case "FILES":
        return (mp?.files ?? []).map((f) => entry(name, f.name, f.filename));
      case "FILES_NAMES":
        return (mp?.files ?? []).map((f) => entry(name, f.name, f.name));
      case "FILES_SIZES":
        return (mp?.files ?? []).map((f) => entry(name, f.name, String(f.size)));
      case "FILES_COMBINED_SIZE":
        return [scalar(name, String(mp?.filesCombinedSize ?? 0))];
      case "MULTIPART_FILENAME":
        return (mp?.parts ?? []).filter((p) => p.filename !== null).map((p) => entry(name, p.name, p.filename!));
      case "MULTIPART_NAME":
        return (mp?.parts ?? []).map((p) => entry(name, p.name, p.name));
      case "MULTIPART_PART_HEADERS":
        return (mp?.parts ?? []).flatMap((p) => p.headers.map((h) => entry(name, p.name, h)));
      case "MULTIPART_BOUNDARY_QUOTED":
        return flag(mp?.flags.boundaryQuoted);
      case "MULTIPART_BOUNDARY_WHITESPACE":
        return flag(mp?.flags.boundaryWhitespace);
      case "MULTIPART_DATA_BEFORE":
        return flag(mp?.flags.dataBefore);
      case "MULTIPART_DATA_AFTER":
        return flag(mp?.flags.dataAfter);
      case "MULTIPART_HEADER_FOLDING":
        return flag(mp?.flags.headerFolding);
      case "MULTIPART_INVALID_HEADER_FOLDING":
        return flag(mp?.flags.invalidHeaderFolding);
      case "MULTIPART_LF_LINE":
        return flag(mp?.flags.lfLine);
      case "MULTIPART_CRLF_LF_LINES":
        return flag(mp?.flags.crlfLfLines);
      case "MULTIPART_MISSING_SEMICOLON":
      case "MULTIPART_SEMICOLON_MISSING":
        return flag(mp?.flags.missingSemicolon);
      case "MULTIPART_INVALID_QUOTING":
        return flag(mp?.flags.invalidQuoting);
      case "MULTIPART_INVALID_PART":
        return flag(mp?.flags.invalidPart);
      case "MULTIPART_FILE_LIMIT_EXCEEDED":
        return flag(mp?.flags.fileLimitExceeded);
      case "MULTIPART_UNMATCHED_BOUNDARY":
        return flag(mp?.flags.unmatchedBoundary);
      case "MULTIPART_STRICT_ERROR":
        return flag(mp !== undefined && (mp.flags.strictError || body?.parsed?.error != null));
      case "RESPONSE_STATUS":
        return this.response === null ? EMPTY : [scalar(name, String(this.response.status))];
      case "RESPONSE_PROTOCOL":
        return this.response === null ? EMPTY : [scalar(name, this.response.protocol ?? "HTTP/1.1")];
      case "RESPONSE_HEADERS":
        return (this.response?.headers ?? []).map(([k, v]) => entry(name, k, v));
      case "RESPONSE_HEADERS_NAMES":
        return namesOf(name, this.get("RESPONSE_HEADERS"));
      case "RESPONSE_CONTENT_TYPE": {
        const ct = this.get("RESPONSE_HEADERS").find((e) => e.lkey === "content-type");
        return ct ? [scalar(name, ct.value)] : EMPTY;
      }
      case "RESPONSE_CONTENT_LENGTH": {
        const cl = this.get("RESPONSE_HEADERS").find((e) => e.lkey === "content-length");
        return cl ? [scalar(name, cl.value)] : EMPTY;
      }
      case "RESPONSE_BODY":
        return this.responseBody === null ? EMPTY : [scalar(name, this.responseBody)];
      case "STATUS_LINE":
        return this.response === null
          ? EMPTY
          : [scalar(name, `${this.response.protocol ?? "HTTP/1.1"} ${this.response.status}`)];
      default:
        return EMPTY;
    }
  }
}
