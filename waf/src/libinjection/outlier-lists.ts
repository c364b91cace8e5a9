import { readFileSync } from "node:fs";

/**
 * The checked-in lists of accepted differences (`vector-exceptions.txt`, `corpus-outliers.txt`
 * beside this file's source): tab-separated lines, `#` comments and blank lines skipped. Read
 * from `src/` (tsc does not copy them to `dist/`).
 */
export function readListFile(name: string): string[][] {
  const text = readFileSync(new URL(`../../src/libinjection/${name}`, import.meta.url), "latin1");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t"));
}

/** `vector-exceptions.txt`: vector file name → reason. */
export function vectorExceptions(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, reason] of readListFile("vector-exceptions.txt")) {
    if (file === undefined || reason === undefined || reason.trim() === "") {
      throw new Error(`vector-exceptions.txt: "${file}" needs a file name, a tab and a reason`);
    }
    out.set(file, reason);
  }
  return out;
}

/** `corpus-outliers.txt`: "detector file raw-line" → reason. */
export function corpusOutliers(): Map<string, string> {
  const out = new Map<string, string>();
  for (const fields of readListFile("corpus-outliers.txt")) {
    const [detector, file, raw, reason] = fields;
    if (fields.length !== 4 || reason === undefined || reason.trim() === "") {
      throw new Error(`corpus-outliers.txt: "${fields.join(" ")}" needs detector, file, line and reason`);
    }
    out.set(outlierKey(detector!, file!, raw!), reason);
  }
  return out;
}

/** The key of one corpus outlier in {@link corpusOutliers}. */
export function outlierKey(detector: string, file: string, raw: string): string {
  return `${detector}\t${file}\t${raw}`;
}
