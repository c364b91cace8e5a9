import type { ByteString } from "../bytes.js";
import { asciiLowercase } from "./ascii-case.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:cmdLine` (ModSecurity reference manual, "cmdLine", after Marc Stern), for command-injection
 * rules: deletes `\ " ' ^`; turns each run of `, ; SP \t \r \n` into one space (the deleted
 * bytes do not end a run: `a ^ b` → `a b`); deletes a space before `/` and `(`; lower-cases A–Z.
 * \v and \f are not among the spaces.
 */
export function cmdLine(input: ByteString): ByteString {
  // Lower-casing touches letters only and the rest touches no letter, so it can go first.
  const lower = asciiLowercase(input);
  const n = lower.length;
  const out = scratchBuffer(n);
  let o = 0;
  let space = false; // the last byte written is a space made from a separator run
  let changed = lower !== input;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    switch (c) {
      case 34: // "
      case 39: // '
      case 92: // \
      case 94: // ^
        changed = true;
        break;
      case 32:
      case 44: // ,
      case 59: // ;
      case 9:
      case 13:
      case 10:
        if (space || c !== 32) changed = true;
        if (!space) {
          out[o++] = 32;
          space = true;
        }
        break;
      case 47: // /
      case 40: // (
        if (space) {
          o--;
          changed = true;
        }
        out[o++] = c;
        space = false;
        break;
      default:
        out[o++] = c;
        space = false;
    }
  }
  return changed ? takeBytes(out, o) : input;
}
