import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./k8s-tools.js";

/** The two planes' commands in the checkout (built by `tsc -b`). */
export const PLANE_BINS = {
  cp: "control-plane/dist/bin/palisade-cp.js",
  dp: "data-plane/dist/bin/palisade-dp.js",
} as const;

/**
 * Variables the image's entrypoint reads itself (deploy/container/palisade), not the programs:
 * a folder of join tokens by node id.
 */
export const IMAGE_VARIABLES = new Set(["PALISADE_JOIN_TOKEN_DIR"]);

/** The PALISADE_* variables a plane reads, from its own `--help`. */
export function programVariables(plane: keyof typeof PLANE_BINS): Set<string> {
  const help = execFileSync(process.execPath, [join(REPO_ROOT, PLANE_BINS[plane]), "--help"], { encoding: "utf8" });
  return new Set(help.match(/PALISADE_[A-Z_]+/g));
}
