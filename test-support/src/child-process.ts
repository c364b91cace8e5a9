import type { ChildProcess } from "node:child_process";

/**
 * Stops a process a test started: SIGTERM to it alone (by its PID), SIGKILL after `graceMs`
 * (default 5,000 ms) if it is still running; resolves once it exited. A process that already
 * exited is left alone.
 * @param exited resolves when the process's `exit` event fired (made when it was spawned, so an
 *   exit before this call is not missed)
 */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}
