import { Agent, type Dispatcher, request } from "undici";

/**
 * HTTP calls policies make to their key servers (JWKS URLs, introspection endpoints): bounded
 * in time and size, no redirects, JSON answers. Uses its own undici Agent so these calls never
 * share a pool with proxied traffic.
 */

/** A JSON answer. `headers` are lower-case. */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly json: unknown;
}

/** Why a call failed; the message never holds the body or credentials. */
export class HttpJsonError extends Error {
  override readonly name = "HttpJsonError";
  /** e.g. `TIMEOUT`, `TOO_LARGE`, `BAD_JSON`, `HTTP_500`, or the socket error code. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Options of {@link requestJson}. */
export interface JsonRequest {
  readonly method?: "GET" | "POST";
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Deadline for the whole exchange, ms. */
  readonly timeoutMs: number;
  /** Largest body read, bytes. */
  readonly maxBytes: number;
}

/** A keep-alive agent for key servers (a few connections per origin). */
export function createAuthAgent(): Agent {
  return new Agent({ connections: 8, keepAliveTimeout: 4_000, connect: { timeout: 5_000 } });
}

/**
 * Calls `url` and parses the answer as JSON (whatever its status; callers check it).
 * @throws HttpJsonError on a network error, timeout, oversized or non-JSON body
 */
export async function requestJson(dispatcher: Dispatcher, url: string, opts: JsonRequest): Promise<JsonAnswer> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      dispatcher,
      method: opts.method ?? "GET",
      headers: { accept: "application/json", ...opts.headers },
      body: opts.body ?? null,
      signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
  } catch (err) {
    throw wrap(err, signal);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > opts.maxBytes) {
        res.body.destroy();
        throw new HttpJsonError("TOO_LARGE", `answer larger than ${opts.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw err instanceof HttpJsonError ? err : wrap(err, signal);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpJsonError(res.statusCode === 200 ? "BAD_JSON" : `HTTP_${res.statusCode}`, "answer is not JSON");
  }
  return { status: res.statusCode, headers: res.headers, json };
}

function wrap(err: unknown, signal: AbortSignal): HttpJsonError {
  if (signal.aborted) return new HttpJsonError("TIMEOUT", "no answer in time");
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "NETWORK";
  return new HttpJsonError(code, typeof e.message === "string" ? e.message : String(err));
}
