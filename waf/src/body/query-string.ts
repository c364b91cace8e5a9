import type { ByteString } from "../bytes.js";
import { DEFAULT_BODY_LIMITS } from "./body-processor.js";
import { parseUrlencodedArgs, type UrlencodedArgs } from "./urlencoded.js";

/**
 * ARGS_GET from QUERY_STRING (the raw text after `?`, without it), parsed exactly as a URLENCODED
 * body (ModSecurity parses both with one argument parser; see {@link parseUrlencodedArgs}).
 * `invalidEncoding` feeds URLENCODED_ERROR. Past `maxArgs` the rest is dropped and
 * `limitExceeded` is set; there is no REQBODY_ERROR in phase 1, so the engine decides.
 */
export function parseQueryString(query: ByteString, maxArgs: number = DEFAULT_BODY_LIMITS.maxArgs): UrlencodedArgs {
  return parseUrlencodedArgs(query, maxArgs);
}
