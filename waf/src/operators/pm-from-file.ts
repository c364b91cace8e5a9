import { WafError } from "../errors.js";
import type { OperatorFactory } from "./operator.js";
import { phraseOperator } from "./pm.js";

/**
 * `@pmFromFile file1 file2 …` (alias `@pmf`): `@pm` with the phrases of data files, one per line;
 * blank lines and lines starting with `#` are skipped (reference manual, "pmFromFile"). Files are
 * read once, at compile time, relative to the rule's file.
 * @throws WafError SECLANG_DATA_FILE when a file cannot be read.
 */
export const pmFromFile: OperatorFactory = (argument, env) => {
  const phrases: string[] = [];
  for (const name of argument.split(/[ \t]+/).filter((p) => p !== "")) {
    let text: string;
    try {
      text = env.readDataFile(name);
    } catch (e) {
      throw new WafError("SECLANG_DATA_FILE", `@pmFromFile ${name}: ${(e as Error).message}`);
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      phrases.push(line);
    }
  }
  return phraseOperator("pmFromFile", phrases);
};
