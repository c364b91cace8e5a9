import { hexEncode } from "./hex-encode.js";
import { md5 } from "./md5.js";
import { sha1 } from "./sha1.js";
import { transformationTable } from "./transformation-table.js";

// Digests are checked through hexEncode, as CRS 901320/901410 use them (t:sha1,t:hexEncode).
transformationTable("sha1,hexEncode", (s) => hexEncode(sha1(s)), [
  ["", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "empty input (FIPS 180 test vector)"],
  ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d", "abc (FIPS 180 test vector)"],
  ["\xff\x00", "da33e41954997c24ad31f6c1845e18510b384f67", "bytes are hashed as bytes, not as UTF-8"],
]);
transformationTable("sha1 length", (s) => String(sha1(s).length), [["abc", "20", "20 raw bytes"]]);
transformationTable("md5,hexEncode", (s) => hexEncode(md5(s)), [
  ["", "d41d8cd98f00b204e9800998ecf8427e", "empty input (RFC 1321 test vector)"],
  ["abc", "900150983cd24fb0d6963f7d28e17f72", "abc (RFC 1321 test vector)"],
  ["\xe9", "3406877694691ddd1dfb0aca54681407", "one latin1 byte, not its UTF-8 form"],
]);
transformationTable("md5 length", (s) => String(md5(s).length), [["abc", "16", "16 raw bytes"]]);
