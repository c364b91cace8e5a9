import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RuleSource } from "./compile/compiler.js";

/** The CRS release vendored with this package (third_party/coreruleset, v4.28.0). */
export const VENDORED_CRS_DIR: string = fileURLToPath(new URL("../third_party/coreruleset", import.meta.url));

/** Palisade's engine configuration (rules/palisade-engine.conf), loaded before CRS. */
export const ENGINE_CONF: string = fileURLToPath(new URL("../rules/palisade-engine.conf", import.meta.url));

/**
 * Palisade's own detection rules: every `rules/*.conf` of this package but the engine
 * configuration (`rules/palisade-rules.conf`: ids 210000-210999), sorted by name, loaded after
 * the CRS rules and before a policy's exclusions.
 */
export function palisadeRuleSources(): RuleSource[] {
  const dir = join(ENGINE_CONF, "..");
  return readdirSync(dir)
    .filter((n) => n.endsWith(".conf") && join(dir, n) !== ENGINE_CONF)
    .sort()
    .map((n) => ({ file: join(dir, n), text: readByteFile(join(dir, n)) }));
}

/** Reads a file as a byte string (latin1), as the engine reads rule and data files. */
export function readByteFile(path: string): string {
  return readFileSync(path, "latin1");
}

/**
 * The files of a CRS v4 directory in load order: `crs-setup.conf.example` (or `crs-setup.conf`
 * when present), then `rules/*.conf` sorted by name (REQUEST-9xx before RESPONSE-9xx, as CRS's
 * numbering intends). `*.conf.example` exclusion templates are not loaded.
 * @throws Error when the directory has no rules folder.
 */
export function crsSources(dir: string = VENDORED_CRS_DIR): RuleSource[] {
  const names = readdirSync(dir);
  const setup = names.includes("crs-setup.conf") ? "crs-setup.conf" : "crs-setup.conf.example";
  const rulesDir = join(dir, "rules");
  const rules = readdirSync(rulesDir)
    .filter((n) => n.endsWith(".conf"))
    .sort();
  return [
    { file: join(dir, setup), text: readByteFile(join(dir, setup)) },
    ...rules.map((n) => ({ file: join(rulesDir, n), text: readByteFile(join(rulesDir, n)) })),
  ];
}
