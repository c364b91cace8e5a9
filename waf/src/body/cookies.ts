import type { ByteString } from "../bytes.js";
import type { Arg } from "./body-processor.js";
import { indexOrEnd } from "./scan.js";

/**
 * REQUEST_COOKIES and REQUEST_COOKIES_NAMES from the request's `Cookie` header values, parsed the
 * way ModSecurity v3 does (`Transaction::addRequestHeader`, which follows v2's cookie parser):
 * - each header value is split on `;`; empty pieces are skipped (`;;a=1`);
 * - trailing whitespace after the last pair is dropped;
 * - the first `=` splits name from value; a piece without `=` is a name with an empty value;
 *   later `=` belong to the value (`a=b=c` → ("a", "b=c"));
 * - leading whitespace (C `isspace`) is removed from the name, nothing else is trimmed
 *   (`a =1` → name `a `, value `1`; `a= 1` → value ` 1`); a piece whose name is then empty
 *   (`=x`) is skipped;
 * - nothing is URL-decoded.
 * Returns [name, value] pairs in header order; pass several `Cookie` headers in order.
 */
export function parseCookies(headerValues: readonly ByteString[]): Arg[] {
  const cookies: Arg[] = [];
  for (const header of headerValues) {
    let end = header.length;
    while (end > 0 && isSpace(header.charCodeAt(end - 1))) end--;
    let start = 0;
    let eq = -1; // the next `=` at or after the piece (end when none), found once for many pieces
    while (start < end) {
      let stop = header.indexOf(";", start);
      if (stop < 0 || stop > end) stop = end;
      let nameStart = start;
      while (nameStart < stop && isSpace(header.charCodeAt(nameStart))) nameStart++;
      if (eq < nameStart) eq = indexOrEnd(header.indexOf("=", nameStart), end);
      const nameEnd = Math.min(eq, stop);
      if (nameEnd > nameStart) {
        cookies.push([header.slice(nameStart, nameEnd), nameEnd < stop ? header.slice(nameEnd + 1, stop) : ""]);
      }
      start = stop + 1;
    }
  }
  return cookies;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
