import { base64Decode } from "./base64-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("base64Decode", base64Decode, [
  ["", "", "empty input"],
  ["dGVzdA==", "test", "padded"],
  ["dGVzdA", "test", "unpadded final group of two"],
  ["dGVzdDE", "test1", "unpadded final group of three"],
  ["dGVzd", "tes", "a lone final byte yields nothing"],
  ["dGVz dA==", "tes", "decoding stops at the first byte outside the alphabet"],
  ["dGVz\ndA==", "tes", "a newline stops it too"],
  ["-_8", "", "the URL-safe alphabet is not base64: nothing decodes"],
  ["=dGVzdA", "", "a leading = stops at once"],
  ["/+8=", "\xff\xef", "+ and / decode to high bytes"],
  ["Xyz$$ND_FUNC$$", "_,", "the leading run decodes (three bytes: two whole bytes)"],
]);
