import { htmlEntityDecode } from "./html-entity-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("htmlEntityDecode", htmlEntityDecode, [
  ["", "", "empty input"],
  ["a & b", "a & b", "a lone & stays"],
  ["&lt;script&gt;", "<script>", "named entities with semicolons"],
  ["&ltscript&gt", "&ltscript>", "the name is the whole alphanumeric run: &ltscript is unknown"],
  ["&lt &gt", "< >", "named entities without semicolons"],
  ["&QUOT;&Amp;&NbSp;", '"&\xa0', "names in any case; nbsp is the byte 0xA0"],
  ["&apos;&copy;", "&apos;&copy;", "only quot, amp, lt, gt and nbsp are known"],
  ["&#60;&#x3c;&#X3C;", "<<<", "decimal and hex numeric entities"],
  ["&#60&#x3cx", "<<x", "numeric entities without semicolons"],
  ["&#x3cz", "<z", "hex digits end the entity"],
  ["&#0000060;", "<", "leading zeros"],
  ["&#x100;&#256;&#x13c;", "\x00\x00<", "beyond 0xFF only the lowest byte is kept"],
  ["&#x110000;", "\x00", "beyond Unicode: lowest byte"],
  ["&#99999999999999999999;", "\xff", "past the 64-bit range strtol saturates: 0xFF"],
  ["&#x7fffffffffffff3c;", "<", "the largest signed 64-bit values still keep their lowest byte"],
  ["&#;&#x;&#xg", "&#;&#x;&#xg", "no digits: copied as is"],
  ["&#", "&#", "truncated at the end"],
  ["&&lt;", "&<", "an & before an entity"],
  ["&amp;lt;", "&lt;", "one pass only"],
  ["\xff&lt;\x00", "\xff<\x00", "other bytes pass through"],
]);
