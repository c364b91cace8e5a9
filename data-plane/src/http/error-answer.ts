import { randomUUID } from "node:crypto";
import { ERRORS, type ErrorCode, errorBody } from "../errors.js";
import { httpDate, statusLine } from "./response-writer.js";

/**
 * A whole error answer the engine writes itself (a request it refused, or one that broke before
 * a response started): Palisade's JSON error (errors.ts), `Cache-Control: no-store`, the request
 * id, and `Connection: close` — after a refusal the bytes that follow cannot be trusted to start
 * a request. No body for a HEAD request.
 * @param requestId the handler's id for the request, or a fresh UUID
 */
export function errorAnswer(code: ErrorCode, requestId: string | null, head = false): Buffer {
  const id = requestId ?? randomUUID();
  const body = errorBody(code, id);
  const status = ERRORS[code].status;
  const text =
    `${statusLine(status)}content-type: application/json\r\ncache-control: no-store\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\ndate: ${httpDate()}\r\n` +
    `connection: close\r\n\r\n${head ? "" : body}`;
  return Buffer.from(text, "utf8");
}
