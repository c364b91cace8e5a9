import type { ByteString } from "../bytes.js";
import { percentDecode } from "../transformations/percent-decode.js";
import { type Arg, type BodyLimits, DEFAULT_BODY_LIMITS, type ParsedBody } from "./body-processor.js";
import { indexOrEnd } from "./scan.js";

/** Arguments parsed from `application/x-www-form-urlencoded` text (a body or a query string). */
export interface UrlencodedArgs {
  /** The pairs in order, names and values URL-decoded. */
  readonly args: readonly Arg[];
  /** URLENCODED_ERROR: some name or value holds an invalid `%` escape (kept as is). */
  readonly invalidEncoding: boolean;
  /** More than `maxArgs` pairs: the rest were not kept. */
  readonly limitExceeded: boolean;
}

/**
 * ModSecurity's argument parser (reference manual, "ARGS", "URLENCODED_ERROR"; v2
 * `parse_arguments`, v3 `extractArguments`), used for query strings and URLENCODED bodies:
 * - `&` separates pairs; each piece is a pair, also an empty one (`a&&b` has an empty pair
 *   between a and b), except an empty piece after a final `&` (or an empty input);
 * - the first `=` splits name from value; a piece without `=` is a name with an empty value;
 *   later `=` belong to the value; empty names are kept (`=x` is the pair ("", "x"));
 * - names and values are decoded with `t:urlDecode` (`+` is a space, invalid `%` escapes stay
 *   and set `invalidEncoding`).
 */
export function parseUrlencodedArgs(text: ByteString, maxArgs: number = DEFAULT_BODY_LIMITS.maxArgs): UrlencodedArgs {
  const args: Arg[] = [];
  let invalidEncoding = false;
  let limitExceeded = false;
  const n = text.length;
  let start = 0;
  let eq = -1; // the next `=` at or after `start` (n when none), found once for many pieces
  while (start < n) {
    let end = text.indexOf("&", start);
    if (end < 0) end = n;
    if (args.length >= maxArgs) {
      limitExceeded = true;
      break;
    }
    if (eq < start) eq = indexOrEnd(text.indexOf("=", start), n);
    const name = eq < end ? text.slice(start, eq) : text.slice(start, end);
    const value = eq < end ? text.slice(eq + 1, end) : "";
    const decodedName = percentDecode(name, false);
    const decodedValue = percentDecode(value, false);
    if (!invalidEncoding && (hasInvalidEscape(name) || hasInvalidEscape(value))) invalidEncoding = true;
    args.push([decodedName, decodedValue]);
    start = end + 1;
  }
  return { args, invalidEncoding, limitExceeded };
}

/**
 * The URLENCODED request body processor (`application/x-www-form-urlencoded`): the body's pairs
 * by {@link parseUrlencodedArgs} become ARGS_POST. More than `maxArgs` pairs is an error
 * (REQBODY_ERROR), as in ModSecurity v3 with `SecArgumentsLimit`; the first `maxArgs` are kept.
 */
export function parseUrlencoded(body: ByteString, limits: BodyLimits = {}): ParsedBody {
  const maxArgs = limits.maxArgs ?? DEFAULT_BODY_LIMITS.maxArgs;
  const parsed = parseUrlencodedArgs(body, maxArgs);
  return {
    args: parsed.args,
    error: parsed.limitExceeded ? `URLENCODED: more than ${maxArgs} arguments` : null,
    urlencodedError: parsed.invalidEncoding,
  };
}

/** Whether a `%` in `s` does not start a valid `%HH` escape. */
function hasInvalidEscape(s: string): boolean {
  for (let i = s.indexOf("%"); i >= 0; i = s.indexOf("%", i + 1)) {
    if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}
