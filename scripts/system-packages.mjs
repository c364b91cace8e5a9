// Makes sure the Debian packages a script needs are installed: apt-get when a
// command is missing and we run as root, otherwise a clear failure that says
// what to install.
import { spawnSync } from "node:child_process";

/**
 * @param {{command: string, pkg: string}[]} needs commands to find on PATH and the Debian package of each
 * @param {{optional?: boolean}} [opts] when optional, report what is missing instead of failing
 * @returns {string[]} the commands still missing (only when optional)
 */
export function ensureSystemPackages(needs, opts = {}) {
  const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
  const missing = needs.filter((n) => !has(n.command));
  if (missing.length === 0) return [];
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot) {
    console.log(`installing system packages: ${pkgs.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const upd = spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    const inst =
      upd.status === 0
        ? spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...pkgs], { stdio: "inherit", env })
        : upd;
    if (inst.status === 0) return needs.filter((n) => !has(n.command)).map((n) => n.command);
  }
  const msg = `missing system packages: ${pkgs.join(" ")} (install with: sudo apt-get install -y ${pkgs.join(" ")})`;
  if (opts.optional) {
    console.warn(msg);
    return missing.map((m) => m.command);
  }
  console.error(msg);
  process.exit(1);
}
