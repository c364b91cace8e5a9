import { createHash } from "node:crypto";

/**
 * One file of a WAF rule set as the admin API stores and takes it: its path in the rule set,
 * its bytes in base64, and their sha256 (hex) so clients can tell which files differ.
 */
export interface EncodedRuleSetFile {
  readonly path: string;
  readonly content_base64: string;
  readonly sha256: string;
}

/** Encodes one rule set file given as a byte string (latin1, as the engine reads files). */
export function encodeRuleSetFile(path: string, text: string): EncodedRuleSetFile {
  const bytes = Buffer.from(text, "latin1");
  return { path, content_base64: bytes.toString("base64"), sha256: createHash("sha256").update(bytes).digest("hex") };
}
