import { Agent, type Dispatcher, fetch } from "undici";

/**
 * The admin REST API as `palisadectl` calls it: one request function that sends the bearer
 * token, parses the JSON answer and turns an error answer into a {@link CliError} carrying the
 * API's stable code and the field at fault. The token is sent, never printed.
 */

/** An error the CLI prints as one line and exits 1 with (2 for usage errors). */
export class CliError extends Error {
  /** The API's stable error code (`VALIDATION_FAILED`, …), or a CLI code (`USAGE`, `UNREACHABLE`, `BAD_MANIFEST`). */
  readonly code: string;
  /** HTTP status of the API answer; 0 when the API was not reached. */
  readonly status: number;
  /** The field at fault, as a dotted path, when the API named one. */
  readonly field: string | undefined;
  /** The API's whole error member (`permission`, `removals`, `resource`, …), when it answered one. */
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: string, message: string, status = 0, field?: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.status = status;
    this.field = field;
    this.detail = detail;
  }
}

/** Where the control plane's admin API is and the token to call it with. */
export interface AdminTarget {
  /** Base URL, e.g. `http://127.0.0.1:8001`. */
  readonly url: string;
  /** The admin bearer token. */
  readonly token: string;
  /**
   * TLS to an `https://` admin listener: `ca` (PEM) to verify the server with instead of the
   * system's CAs; `cert` and `key` (PEM) when the listener asks for a client certificate.
   */
  readonly tls?: { ca?: string; cert?: string; key?: string };
}

/** HTTP methods of the admin API. */
export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** Calls the admin API. */
export class AdminClient {
  readonly #base: string;
  readonly #token: string;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(target: AdminTarget) {
    this.#base = target.url.replace(/\/+$/, "");
    this.#token = target.token;
    if (target.tls && (target.tls.ca || target.tls.cert)) this.#dispatcher = new Agent({ connect: { ...target.tls } });
  }

  /** Closes the TLS connections this client opened (a CLI run ends with it). */
  async close(): Promise<void> {
    await this.#dispatcher?.close();
  }

  /**
   * Sends one request and returns the parsed JSON body (`undefined` for 204).
   * @throws CliError with the API's code, status and field on a non-2xx answer; `UNREACHABLE`
   *   when the control plane cannot be reached.
   */
  async request<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        "UNREACHABLE",
        `cannot reach the control plane at ${this.#base} (${cause?.code ?? cause?.message ?? String(err)})`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new CliError("BAD_ANSWER", `${method} ${path}: the answer is not JSON (HTTP ${res.status})`, res.status);
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      throw new CliError(e?.code ?? `HTTP_${res.status}`, e?.message ?? `HTTP ${res.status}`, res.status, e?.field, e);
    }
    return parsed as T;
  }
}
