import { base64DecodeExt } from "./base64-decode-ext.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("base64DecodeExt", base64DecodeExt, [
  ["", "", "empty input"],
  ["dGVzdA==", "test", "padded"],
  ["d.G.V.z.d.A=", "test", "bytes outside the alphabet are skipped"],
  ["dGVz dA==", "test", "whitespace is skipped"],
  ["dG=VzdA", "test", "= inside the text is skipped"],
  ["!!!", "", "nothing decodable"],
]);
