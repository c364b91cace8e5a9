import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Repository root (e2e/dist/harness → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A real child process started by a test, with its output kept for diagnostics. */
export class TestProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  #exit: Promise<number | null>;

  /** `launcher` runs `script` (default node; `sh` for a shell script such as the image's entrypoint). */
  constructor(
    name: string,
    script: string,
    args: string[],
    env: Record<string, string> = {},
    launcher = process.execPath,
  ) {
    this.name = name;
    this.child = spawn(launcher, [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, PALISADE_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#exit = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      let i = buf.indexOf("\n");
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.#lines.push(line);
        if (this.#lines.length > 5000) this.#lines.shift();
        for (const w of [...this.#waiters])
          if (w.match(line)) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(line);
          }
        i = buf.indexOf("\n");
      }
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
  }

  /** Everything the process printed so far. */
  output(): string {
    return this.#lines.join("\n");
  }

  /** Resolves with the first line (past or future) that `match` accepts; rejects if the process exits first. */
  waitForLine(match: (line: string) => boolean, what: string): Promise<string> {
    const seen = this.#lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ match, resolve });
      this.#exit.then((code) =>
        reject(new Error(`${this.name} exited (${code}) before ${what}; output:\n${this.output().slice(-3000)}`)),
      );
    });
  }

  /** Port of the listener named `listener`, from its `{"msg":"listening"}` log line. */
  async port(listener: string): Promise<number> {
    const line = await this.waitForLine((l) => {
      if (!l.includes('"listening"')) return false;
      try {
        const j = JSON.parse(l);
        return j.msg === "listening" && j.listener === listener;
      } catch {
        return false;
      }
    }, `listening on ${listener}`);
    return JSON.parse(line).port as number;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Sends SIGTERM (then SIGKILL after `graceMs`) to this process only, by its PID. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGCONT");
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.#exit;
    clearTimeout(t);
  }

  /**
   * Freezes the process (SIGSTOP) or thaws it (SIGCONT): its sockets stay open but it answers
   * nothing, as a hung or overloaded host would. `stop()` thaws it first.
   */
  freeze(frozen: boolean): void {
    if (this.exited) return;
    this.child.kill(frozen ? "SIGSTOP" : "SIGCONT");
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    await this.stop("SIGKILL");
  }
}

/**
 * Polls `probe` until it returns a value other than undefined (a condition on
 * state, not a timing assertion); fails with `what` after `timeoutMs`.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
