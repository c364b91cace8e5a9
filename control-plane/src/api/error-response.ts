import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { API_ERRORS, type ApiErrorCode, DomainError } from "../errors.js";
import { StoreUnavailableError } from "../store/sql-db.js";
import { type AjvError, validationError } from "./validation-errors.js";

/** The JSON body of an admin API error: `{"error": {"code", "message", "field"?, …detail}}`. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string } & Record<string, unknown>;
}

/**
 * How the admin API answers a domain error: the registry's HTTP status (errors.ts) and the JSON
 * body. The one place a {@link DomainError} becomes HTTP; the fastify error handler (server.ts)
 * and the not-found handler use it.
 */
export function errorResponse(err: DomainError): { status: number; body: ErrorBody } {
  return {
    status: API_ERRORS[err.code].status,
    body: {
      error: {
        code: err.code,
        message: err.message,
        ...(err.field !== undefined ? { field: err.field } : {}),
        ...err.detail,
      },
    },
  };
}

/** Any error thrown inside a handler as a DomainError; nothing internal reaches the client. */
export function toDomainError(err: FastifyError & { validation?: AjvError[] }): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof StoreUnavailableError) return new DomainError("STORE_UNAVAILABLE");
  if (err.validation && err.validation.length > 0)
    return validationError(err.validation, (err as { validationContext?: string }).validationContext ?? "body");
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new DomainError("UNSUPPORTED_MEDIA_TYPE");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new DomainError("INVALID_JSON");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new DomainError("PAYLOAD_TOO_LARGE");
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return new DomainError("INVALID_JSON");
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new DomainError("BAD_REQUEST");
  return new DomainError("INTERNAL");
}

/** Answers `err` on `reply` with its status and JSON body. */
export function sendError(reply: FastifyReply, err: DomainError): void {
  const { status, body } = errorResponse(err);
  reply.code(status).type("application/json").send(body);
}

/**
 * The admin API's error handler and not-found handler: every error a route, hook or fastify
 * itself throws is answered here (status from the registry, the JSON body); a 5xx is logged with
 * its cause, which never reaches the client; an unavailable store answers 503 with
 * `retry-after: 1`.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvError[] }, req, reply) => {
    const domainErr = toDomainError(err);
    if (domainErr.code === "STORE_UNAVAILABLE") {
      // The driver's code only: its message may name the database URL.
      req.log.warn({ reason: (err as unknown as StoreUnavailableError).reason, url: req.url }, "store unavailable");
      reply.header("retry-after", "1");
    } else if (API_ERRORS[domainErr.code].status >= 500)
      req.log.error({ err, url: req.url, method: req.method }, "admin API internal error");
    sendError(reply, domainErr);
  });
  app.setNotFoundHandler((req, reply) => {
    sendError(reply, new DomainError("NOT_FOUND", `no endpoint ${req.method} ${req.url.split("?")[0]}`));
  });
}
