import { parityEven7bit } from "./parity-even-7bit.js";
import { parityOdd7bit } from "./parity-odd-7bit.js";
import { parityZero7bit } from "./parity-zero-7bit.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("parityEven7bit", parityEven7bit, [
  ["", "", "empty input"],
  ["A", "A", "0x41 has two ones: even already"],
  ["C", "\xc3", "0x43 has three ones: bit 7 set"],
  ["\xc1", "A", "a set high bit is recomputed"],
]);
transformationTable("parityOdd7bit", parityOdd7bit, [
  ["A", "\xc1", "0x41 has two ones: bit 7 set"],
  ["C", "C", "0x43 has three ones: odd already"],
]);
transformationTable("parityZero7bit", parityZero7bit, [
  ["\xc1\xc3a", "ACa", "the high bit is cleared"],
  ["abc", "abc", "7-bit input is unchanged"],
]);
