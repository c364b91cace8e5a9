import type { ByteString } from "../bytes.js";

/**
 * `t:replaceComments` (ModSecurity reference manual, "replaceComments"): each C comment
 * `/* … *\/` becomes one space (consecutive comments are not merged); an unterminated comment
 * becomes one space too; a lone `*\/` is left as it is.
 */
export function replaceComments(input: ByteString): ByteString {
  let i = input.indexOf("/*");
  if (i < 0) return input;
  let out = "";
  let run = 0;
  while (i >= 0) {
    out += `${input.slice(run, i)} `;
    const end = input.indexOf("*/", i + 2);
    if (end < 0) return out;
    run = end + 2;
    i = input.indexOf("/*", run);
  }
  return out + input.slice(run);
}
