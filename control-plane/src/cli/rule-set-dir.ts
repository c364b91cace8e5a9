import { isAbsolute, join } from "node:path";
import { type EncodedRuleSetFile, encodeRuleSetFile } from "../config/rule-set-file.js";
import { CliError } from "./admin-client.js";

/** A rule set file as `POST /v1/rule-sets` takes it, with its digest for comparing. */
export type UploadFile = EncodedRuleSetFile;

/**
 * Reads a CRS v4 directory as the files of a rule set (what the engine loads: `crs-setup.conf`
 * or `crs-setup.conf.example`, `rules/*.conf` without the `*.conf.example` templates,
 * `rules/*.data`, and `palisade-engine.conf` and `extra/*.conf` when present), relative to
 * `base` when `dir` is relative (a manifest's directory).
 * @throws CliError USAGE when the directory cannot be read or has no `rules` folder
 */
export async function readRuleSetDir(dir: string, base = "."): Promise<UploadFile[]> {
  const path = isAbsolute(dir) ? dir : join(base, dir);
  // Loaded on use: the engine (and its native regex library) only for rule set commands.
  const { ruleSetFilesFromDir } = await import("@palisade/waf");
  let files: ReturnType<typeof ruleSetFilesFromDir>;
  try {
    files = ruleSetFilesFromDir(path);
  } catch (err) {
    throw new CliError(
      "USAGE",
      `cannot read the rule set directory ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (a CRS v4 directory holds rules/ and crs-setup.conf.example)`,
    );
  }
  return files.map((f) => encodeRuleSetFile(f.path, f.text));
}

/**
 * Whether the rule set the API holds (`files: [{path, sha256}]`) has exactly these files. A held
 * `palisade-engine.conf` the directory lacks is the control plane's own, added on upload.
 */
export function sameRuleSetFiles(local: readonly UploadFile[], held: Record<string, unknown>): boolean {
  const heldFiles = ((held.files as Array<{ path: string; sha256?: string }>) ?? []).filter(
    (f) => f.path !== "palisade-engine.conf" || local.some((l) => l.path === f.path),
  );
  if (heldFiles.length !== local.length) return false;
  const digests = new Map(heldFiles.map((f) => [f.path, f.sha256]));
  return local.every((f) => digests.get(f.path) === f.sha256);
}
