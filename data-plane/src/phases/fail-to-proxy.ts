import { ERRORS, errorBody, type Failure } from "../errors.js";
import { refusalEventType } from "../events/security-events.js";
import { ResponseFields } from "../http/response-fields.js";
import type { Exchange } from "../proxy/exchange.js";

/** An error answer to write: its header section (decorated by `response_filter` next) and body. */
export interface ErrorAnswer {
  readonly fields: ResponseFields;
  readonly body: Buffer;
}

/**
 * `fail_to_proxy`: the one error path, for every Failure of a phase, every upstream error and a
 * request that broke after its head. Maps the Failure to its registry entry and builds the
 * answer `{"error":{"code","message","request_id"}}` (JSON, the registry's message only, plus
 * `"field"` when the code alone does not say what is at fault) with the Failure's headers
 * (`WWW-Authenticate`, `Retry-After`); `response_filter` decorates it next (security headers, CORS
 * for allowed origins). A refusal the proxy makes itself is emitted as a security event (a
 * policy's was emitted when it answered). Upstream and internal causes are logged at warn, client
 * errors at debug; the cause never reaches the wire. When the response has already started
 * reaching the client, the connection (HTTP/2: the stream) is cut instead: a truncated response,
 * never a spliced one (a head that had not left yet is taken back and the error answers). The
 * writer closes the connection after an answer that left a request body unread (it is never
 * parsed as a next request; the rest is read and dropped for a while: lingering close), and keeps
 * it when the body was read or there was none. Idempotent: only a request's first failure counts.
 * @returns the answer to write, or `null` when nothing is to be written (cut, already failed, the client is gone)
 */
export function failToProxy(ex: Exchange, failure: Failure): ErrorAnswer | null {
  if (ex.errorCode !== undefined) return null;
  ex.errorCode = failure.code;
  const spec = ERRORS[failure.code];
  const log = ex.services.log;
  const eventType = ex.eventEmitted ? null : refusalEventType(failure.code);
  if (eventType !== null) {
    const reason = typeof failure.cause === "string" ? failure.cause : failure.code.toLowerCase();
    ex.emitSecurityEvent(ex.deniedBy, eventType, reason, failure.code, null);
  }
  // Client errors and "no config yet" (expected while a node boots) are not worth a warning.
  if (spec.blame === "downstream" || failure.code === "NO_CONFIG") {
    if (log.isLevelEnabled("debug")) {
      log.debug(
        { request_id: ex.requestId, code: failure.code, reason: describeCause(failure.cause) },
        "request refused",
      );
    }
  } else {
    log.warn(
      {
        request_id: ex.requestId,
        code: failure.code,
        route: ex.route?.id,
        upstream: ex.target?.origin,
        cause: describeCause(failure.cause),
      },
      "proxy error",
    );
  }
  const d = ex.downstream;
  // A head still waiting for its first body bytes never reached the client: answer instead.
  if (d.clientGone || (d.headersSent && !d.discardHead())) {
    d.abort();
    return null;
  }
  const fields = new ResponseFields(spec.status, null, null);
  fields.set("content-type", "application/json");
  fields.set("cache-control", "no-store");
  const extra = failure.headers;
  if (extra !== null) for (const name in extra) fields.set(name, extra[name]!);
  return { fields, body: Buffer.from(errorBody(failure.code, ex.requestId, failure.field, failure.eventId)) };
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "string") return cause;
  const e = cause as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : undefined;
  return code && message ? `${code}: ${message}` : (code ?? message ?? String(cause));
}
