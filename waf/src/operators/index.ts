import { beginsWith } from "./begins-with.js";
import { contains } from "./contains.js";
import { detectSQLi } from "./detect-sqli.js";
import { detectXSS } from "./detect-xss.js";
import { endsWith } from "./ends-with.js";
import { eq } from "./eq.js";
import { ge } from "./ge.js";
import { gt } from "./gt.js";
import { ipMatch, ipMatchFromFile } from "./ip-match.js";
import { le } from "./le.js";
import { lt } from "./lt.js";
import type { OperatorFactory } from "./operator.js";
import { pm } from "./pm.js";
import { pmFromFile } from "./pm-from-file.js";
import { rx } from "./rx.js";
import { streq } from "./streq.js";
import { noMatch, unconditionalMatch } from "./unconditional-match.js";
import { validateByteRange } from "./validate-byte-range.js";
import { validateUrlEncoding } from "./validate-url-encoding.js";
import { validateUtf8Encoding } from "./validate-utf8-encoding.js";
import { within } from "./within.js";

/**
 * Every operator the engine supports, keyed by lower-case name (without `@`). The 19 operators
 * CRS v4 uses (`@detectSQLi`/`@detectXSS` call the libinjection port in ../libinjection), plus `@le`, `@noMatch`, `@ipMatchFromFile` and the short aliases `@pmf`/`@ipMatchF`.
 */
export const OPERATORS: ReadonlyMap<string, OperatorFactory> = new Map<string, OperatorFactory>([
  ["rx", rx],
  ["pm", pm],
  ["pmfromfile", pmFromFile],
  ["pmf", pmFromFile],
  ["eq", eq],
  ["ge", ge],
  ["gt", gt],
  ["lt", lt],
  ["le", le],
  ["streq", streq],
  ["beginswith", beginsWith],
  ["endswith", endsWith],
  ["contains", contains],
  ["within", within],
  ["detectsqli", detectSQLi],
  ["detectxss", detectXSS],
  ["ipmatch", ipMatch],
  ["ipmatchfromfile", ipMatchFromFile],
  ["ipmatchf", ipMatchFromFile],
  ["validatebyterange", validateByteRange],
  ["validateurlencoding", validateUrlEncoding],
  ["validateutf8encoding", validateUtf8Encoding],
  ["unconditionalmatch", unconditionalMatch],
  ["nomatch", noMatch],
]);

export type { Operator, OperatorEnv, OperatorFactory, OperatorScope } from "./operator.js";
