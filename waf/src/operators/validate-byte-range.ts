import { WafError } from "../errors.js";
import type { OperatorFactory } from "./operator.js";

/**
 * `@validateByteRange 1-255` or `9,10,13,32-126`: matches when the value holds a byte outside
 * every listed range (reference manual, "validateByteRange"). CRS rule 920270 and its siblings.
 * @throws WafError SECLANG_BAD_OPERATOR_ARGUMENT on a malformed range.
 */
export const validateByteRange: OperatorFactory = (argument) => {
  const allowed = new Uint8Array(256);
  for (const part of argument.split(/[\s,]+/)) {
    if (part === "") continue;
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    const lo = m ? Number(m[1]) : Number.NaN;
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (!m || lo > 255 || hi > 255 || hi < lo)
      throw new WafError("SECLANG_BAD_OPERATOR_ARGUMENT", `@validateByteRange: bad range "${part}"`);
    for (let b = lo; b <= hi; b++) allowed[b] = 1;
  }
  return {
    name: "validateByteRange",
    evaluate(value) {
      for (let i = 0; i < value.length; i++) if (allowed[value.charCodeAt(i) & 0xff] === 0) return true;
      return false;
    },
  };
};
