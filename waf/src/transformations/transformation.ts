import type { ByteString } from "../bytes.js";

/**
 * A SecLang transformation (`t:name`): a pure function from a byte string to a byte string,
 * exactly as ModSecurity v2/v3 define it (its reference manual, "Transformation functions").
 * Must not throw on any input.
 */
export type Transformation = (input: ByteString) => ByteString;
