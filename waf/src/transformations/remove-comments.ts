import type { ByteString } from "../bytes.js";

/**
 * `t:removeComments` (ModSecurity reference manual, "removeComments"): removes each comment —
 * `/* … *\/`, `<!-- … -->`, and the line comments `--` and `#`, which, as in ModSecurity, run to
 * the end of the input. An unterminated block comment becomes one space, as in ModSecurity.
 * Consecutive comments are not compressed.
 *
 * Where ModSecurity's code copies the byte right after a closing `*\/` or `-->` without looking
 * at it (so `/**\/--x` keeps `--x`) and can copy its terminating NUL, this keeps scanning: every
 * comment is removed.
 */
export function removeComments(input: ByteString): ByteString {
  const n = input.length;
  let out = "";
  let run = 0;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    let close: string | null = null;
    let open = 0;
    if (c === 47 /* / */ && input.charCodeAt(i + 1) === 42) {
      close = "*/";
      open = 2;
    } else if (c === 60 /* < */ && input.startsWith("!--", i + 1)) {
      close = "-->";
      open = 4;
    } else if ((c === 45 /* - */ && input.charCodeAt(i + 1) === 45) || c === 35 /* # */) {
      return out + input.slice(run, i);
    }
    if (close === null) {
      i++;
      continue;
    }
    out += input.slice(run, i);
    const end = input.indexOf(close, i + open);
    if (end < 0) return `${out} `;
    run = i = end + close.length;
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
