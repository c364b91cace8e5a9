/**
 * Request body processors (ModSecurity's URLENCODED, JSON, MULTIPART and XML) and the two
 * argument parsers ModSecurity applies outside the body (query string, Cookie header). Each
 * takes byte strings and returns plain values; none throws. See README.md.
 */
export type {
  Arg,
  BodyLimits,
  MultipartData,
  MultipartFile,
  MultipartFlags,
  MultipartPart,
  ParsedBody,
  XmlDocument,
  XmlElement,
} from "./body-processor.js";
export { DEFAULT_BODY_LIMITS } from "./body-processor.js";
export { parseCookies } from "./cookies.js";
export { parseJson } from "./json.js";
export { parseMultipart } from "./multipart.js";
export { type MultipartBoundary, parseMultipartBoundary } from "./multipart-boundary.js";
export { parseQueryString } from "./query-string.js";
export { parseUrlencoded, parseUrlencodedArgs, type UrlencodedArgs } from "./urlencoded.js";
export { parseXml } from "./xml.js";
