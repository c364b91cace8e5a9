// V8 heap flags for the proxy processes. Source of the default: bench/PROFILE.md ("GC"): with
// node's 16 MiB semi-space a worker's young generation grows to 2 × 16 MiB under load and the
// 10,000-route node sat at 153-174 MiB RSS; 8 MiB kept it at 136-141 MiB (issue 3's target is
// < 150 MiB) for the same CPU per request (scavenges twice as often, each as short: their cost
// is the live set, not the space). 32 and 64 MiB cost RSS and brought mark-compacts and longer
// scavenges into the p99. A semi-space is fixed when the isolate starts, so the flag must be on
// node's command line: the primary passes it to the workers it forks; a single process
// (`--workers 1`) cannot set it for itself (re-executing would add a whole node process, more
// memory than the flag saves), so there it comes from NODE_OPTIONS.

/** V8's flag for the young generation's semi-space size, MiB. */
export const SEMI_SPACE_FLAG = "--max-semi-space-size";

/**
 * Whether the running process's node flags already size the semi-space (`--max-semi-space-size`
 * in `execArgv` or `NODE_OPTIONS`, either spelling with `-` or `_`).
 * @param execArgv node's own flags (`process.execArgv`)
 * @param nodeOptions `NODE_OPTIONS`, if set
 */
export function semiSpaceFlagGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const named = (s: string) => /--max[-_]semi[-_]space[-_]size\b/.test(s);
  return execArgv.some(named) || (nodeOptions !== undefined && named(nodeOptions));
}

/**
 * The node flags for a forked worker: the primary's own `execArgv`, plus
 * `--max-semi-space-size=<semiSpaceMib>` unless `semiSpaceMib` is 0 (node's default) or the
 * operator already gave node that flag (then it is inherited as given: an explicit node flag wins).
 * @param semiSpaceMib MiB, from `--semi-space-mib` (0 = leave node's default)
 * @param execArgv the primary's `process.execArgv`
 * @param nodeOptions the primary's `NODE_OPTIONS` (workers inherit the environment)
 */
export function workerExecArgv(
  semiSpaceMib: number,
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  if (semiSpaceMib === 0 || semiSpaceFlagGiven(execArgv, nodeOptions)) return [...execArgv];
  return [...execArgv, `${SEMI_SPACE_FLAG}=${semiSpaceMib}`];
}
