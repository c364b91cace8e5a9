/**
 * @palisade/control-plane: admin REST API, SQLite store, config versions and the gRPC sync server.
 * Run it with the `palisade-cp` binary; embed it with `startControlPlane`.
 */
export { AdminTokens, hashToken } from "./admin-token.js";
export { openApiDocument } from "./api/openapi-document.js";
export { type ControlPlane, startControlPlane } from "./control-plane.js";
export { API_ERRORS, type ApiErrorCode, DomainError, OptionError } from "./errors.js";
export { createLogger, type Logger } from "./log.js";
export { type CpOptions, parseCpOptions } from "./options.js";
