import type { ByteString } from "../bytes.js";

/**
 * What a request body processor made of a body (ModSecurity's URLENCODED, JSON, MULTIPART and
 * XML processors). Names and values are byte strings.
 */
export interface ParsedBody {
  /** ARGS_POST, in body order. */
  readonly args: ReadonlyArray<readonly [name: ByteString, value: ByteString]>;
  /** REQBODY_ERROR_MSG when the body does not parse as its processor's type, else `null`. */
  readonly error: ByteString | null;
}
