import { readFileSync } from "node:fs";

/** This build's version, from control-plane/package.json. */
export function softwareVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}
