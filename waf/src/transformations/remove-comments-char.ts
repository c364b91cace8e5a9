import type { ByteString } from "../bytes.js";

/**
 * `t:removeCommentsChar` (ModSecurity reference manual, "removeCommentsChar"): deletes the
 * comment markers `/*`, `*\/`, `--` and `#`, and the HTML markers `<!--` and `-->` that
 * ModSecurity removes too; the text between markers stays. Left to right, each marker once.
 */
export function removeCommentsChar(input: ByteString): ByteString {
  const n = input.length;
  let out = "";
  let run = 0;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    let len = 0;
    if (c === 47 /* / */ && input.charCodeAt(i + 1) === 42) len = 2;
    else if (c === 42 /* * */ && input.charCodeAt(i + 1) === 47) len = 2;
    else if (c === 60 /* < */ && input.startsWith("!--", i + 1)) len = 4;
    else if (c === 45 /* - */ && input.charCodeAt(i + 1) === 45) len = input.charCodeAt(i + 2) === 62 ? 3 : 2;
    else if (c === 35 /* # */) len = 1;
    if (len === 0) {
      i++;
      continue;
    }
    out += input.slice(run, i);
    run = i += len;
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
