/**
 * Polls `probe` every 10 ms until it returns true (a condition on state, not a timing
 * assertion); fails naming `what` after `timeoutMs`.
 */
export async function eventually(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
