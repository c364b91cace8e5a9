import type { ByteString } from "../bytes.js";

/**
 * `t:cmdLine` (ModSecurity reference manual, "cmdLine", after Marc Stern), for command-injection
 * rules: deletes `\ " ' ^`; turns each run of `, ; SP \t \r \n` into one space (the deleted
 * bytes do not end a run: `a ^ b` → `a b`); deletes a space before `/` and `(`; lower-cases A–Z.
 * \v and \f are not among the spaces.
 */
export function cmdLine(input: ByteString): ByteString {
  const n = input.length;
  let out = "";
  let run = 0; // unchanged bytes since the last edit are copied in one slice
  let space = false; // the last byte written is a space produced from a separator run
  let changed = false;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    switch (c) {
      case 34: // "
      case 39: // '
      case 92: // \
      case 94: // ^
        out += input.slice(run, i);
        run = i + 1;
        changed = true;
        break;
      case 32:
      case 44: // ,
      case 59: // ;
      case 9:
      case 13:
      case 10:
        out += input.slice(run, i);
        run = i + 1;
        if (!space) {
          out += " ";
          space = true;
          if (c !== 32) changed = true;
        } else {
          changed = true;
        }
        break;
      case 47: // /
      case 40: // (
        if (space) {
          out = out.slice(0, -1);
          changed = true;
        }
        out += input.slice(run, i + 1);
        run = i + 1;
        space = false;
        break;
      default:
        if (c >= 65 && c <= 90) {
          out += input.slice(run, i) + String.fromCharCode(c | 0x20);
          run = i + 1;
          changed = true;
        }
        space = false;
    }
  }
  if (!changed) return input;
  return out + input.slice(run);
}
