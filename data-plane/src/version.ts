import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The data plane's software version: `version` of data-plane/package.json (read once). */
export function softwareVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    cached = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  }
  return cached;
}
