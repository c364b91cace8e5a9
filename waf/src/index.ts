/**
 * @palisade/waf: a SecLang engine that runs the OWASP Core Rule Set. Pure: parse → compile →
 * evaluate, no I/O beyond reading rule files it is pointed at, no knowledge of the proxy.
 */

export type { ParsedBody } from "./body/body-processor.js";
export { type ByteString, byteString, utf8Bytes } from "./bytes.js";
export type { Transformation } from "./transformations/transformation.js";
