import { base64Encode } from "./base64-encode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("base64Encode", base64Encode, [
  ["", "", "empty input"],
  ["test", "dGVzdA==", "padding"],
  ["\xff\xef", "/+8=", "bytes, not UTF-8"],
]);
