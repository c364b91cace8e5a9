import { utf8Bytes } from "../bytes.js";
import { transformationTable } from "./transformation-table.js";
import { utf8toUnicode } from "./utf8-to-unicode.js";

transformationTable("utf8toUnicode", utf8toUnicode, [
  ["", "", "empty input"],
  ["plain ascii\x00", "plain ascii\x00", "ASCII, NUL included, is copied"],
  [utf8Bytes("é"), "%u00e9", "two-byte sequence"],
  [utf8Bytes("＜script＞"), "%uff1cscript%uff1e", "three-byte sequences (full-width < and >)"],
  [utf8Bytes("😀"), "%u1f600", "four-byte sequence: five hex digits"],
  [utf8Bytes("\u0800"), "%u0800", "smallest three-byte code point"],
  ["\xc0\xaf", "%u002f", "overlong / is converted by value"],
  ["\xed\xa0\x80", "%ud800", "a surrogate is converted by value"],
  ["\xc3(", "\xc3(", "lead byte without its continuation byte is copied"],
  ["\xe2\x82", "\xe2\x82", "truncated three-byte sequence is copied"],
  ["\x80\xbf", "\x80\xbf", "stray continuation bytes are copied"],
  ["\xf8\x88\x80\x80\x80", "\xf8\x88\x80\x80\x80", "five-byte forms are not UTF-8"],
  [`a${utf8Bytes("ü")}b`, "a%u00fcb", "conversion in the middle"],
]);
