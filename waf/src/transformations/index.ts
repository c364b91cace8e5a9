/**
 * ModSecurity's transformation functions (`t:name`), each a pure byte-string → byte-string
 * function with ModSecurity's semantics (reference manual, "Transformation functions"; one file
 * per transformation, see README.md for the table and sources).
 *
 * `t:none` is not a function: it clears the transformations inherited from `SecDefaultAction`
 * and those listed before it in the rule, so the engine handles it when it compiles a rule's
 * chain, and it is not in {@link TRANSFORMATIONS}.
 */
import { base64Decode } from "./base64-decode.js";
import { base64DecodeExt } from "./base64-decode-ext.js";
import { base64Encode } from "./base64-encode.js";
import { cmdLine } from "./cmd-line.js";
import { compressWhitespace } from "./compress-whitespace.js";
import { cssDecode } from "./css-decode.js";
import { escapeSeqDecode } from "./escape-seq-decode.js";
import { hexDecode } from "./hex-decode.js";
import { hexEncode } from "./hex-encode.js";
import { htmlEntityDecode } from "./html-entity-decode.js";
import { jsDecode } from "./js-decode.js";
import { length } from "./length.js";
import { lowercase } from "./lowercase.js";
import { md5 } from "./md5.js";
import { normalizePath } from "./normalize-path.js";
import { normalizePathWin } from "./normalize-path-win.js";
import { parityEven7bit } from "./parity-even-7bit.js";
import { parityOdd7bit } from "./parity-odd-7bit.js";
import { parityZero7bit } from "./parity-zero-7bit.js";
import { removeComments } from "./remove-comments.js";
import { removeCommentsChar } from "./remove-comments-char.js";
import { removeNulls } from "./remove-nulls.js";
import { removeWhitespace } from "./remove-whitespace.js";
import { replaceComments } from "./replace-comments.js";
import { replaceNulls } from "./replace-nulls.js";
import { sha1 } from "./sha1.js";
import { sqlHexDecode } from "./sql-hex-decode.js";
import type { Transformation } from "./transformation.js";
import { trim } from "./trim.js";
import { trimLeft } from "./trim-left.js";
import { trimRight } from "./trim-right.js";
import { uppercase } from "./uppercase.js";
import { urlDecode } from "./url-decode.js";
import { urlDecodeUni } from "./url-decode-uni.js";
import { urlEncode } from "./url-encode.js";
import { utf8toUnicode } from "./utf8-to-unicode.js";

/** Each transformation under its ModSecurity name (the manual's spelling). */
const BY_NAME: ReadonlyArray<readonly [name: string, fn: Transformation]> = [
  ["base64Decode", base64Decode],
  ["base64DecodeExt", base64DecodeExt],
  ["base64Encode", base64Encode],
  ["cmdLine", cmdLine],
  ["compressWhitespace", compressWhitespace],
  ["cssDecode", cssDecode],
  ["escapeSeqDecode", escapeSeqDecode],
  ["hexDecode", hexDecode],
  ["hexEncode", hexEncode],
  ["htmlEntityDecode", htmlEntityDecode],
  ["jsDecode", jsDecode],
  ["length", length],
  ["lowercase", lowercase],
  ["md5", md5],
  ["normalizePath", normalizePath],
  ["normalisePath", normalizePath],
  ["normalizePathWin", normalizePathWin],
  ["normalisePathWin", normalizePathWin],
  ["parityEven7bit", parityEven7bit],
  ["parityOdd7bit", parityOdd7bit],
  ["parityZero7bit", parityZero7bit],
  ["removeComments", removeComments],
  ["removeCommentsChar", removeCommentsChar],
  ["removeNulls", removeNulls],
  ["removeWhitespace", removeWhitespace],
  ["replaceComments", replaceComments],
  ["replaceNulls", replaceNulls],
  ["sha1", sha1],
  ["sqlHexDecode", sqlHexDecode],
  ["trim", trim],
  ["trimLeft", trimLeft],
  ["trimRight", trimRight],
  ["uppercase", uppercase],
  ["urlDecode", urlDecode],
  ["urlDecodeUni", urlDecodeUni],
  ["urlEncode", urlEncode],
  ["utf8toUnicode", utf8toUnicode],
];

/**
 * Every supported transformation keyed by its lower-case name (SecLang names are matched
 * case-insensitively: CRS writes both `t:base64Decode` and `t:base64decode`). Both spellings
 * `normalizePath`/`normalisePath` (and `…Win`) are present, as in ModSecurity. `none` is absent:
 * the engine implements it by clearing the chain. A name not in the map is a configuration
 * error the compiler reports with the rule's id.
 */
export const TRANSFORMATIONS: ReadonlyMap<string, Transformation> = new Map(
  BY_NAME.map(([name, fn]) => [name.toLowerCase(), fn]),
);

export type { Transformation } from "./transformation.js";
