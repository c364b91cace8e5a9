import type { ByteString } from "../bytes.js";
import { decodeBase64Alphabet, isBase64Char } from "./base64-decode.js";

/**
 * `t:base64DecodeExt` (ModSecurity reference manual, "base64DecodeExt"): the forgiving decoder,
 * made to decode what PHP's non-strict `base64_decode` decodes: every byte outside the base64
 * alphabet (whitespace, `=`, `.`, `-`, …) is skipped, and the alphabet bytes left are decoded
 * (`d.G.V.z.d.A=` → `test`).
 */
export function base64DecodeExt(input: ByteString): ByteString {
  let kept = "";
  let run = 0;
  for (let i = 0; i < input.length; i++) {
    if (!isBase64Char(input.charCodeAt(i))) {
      kept += input.slice(run, i);
      run = i + 1;
    }
  }
  return decodeBase64Alphabet(run === 0 ? input : kept + input.slice(run));
}
