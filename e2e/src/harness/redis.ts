import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";

/** A real redis-server on a free loopback port, no persistence; stopped by its PID. */
export class RedisProcess {
  port = 0;
  child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  /** Starts `redis-server --port N --bind 127.0.0.1 --save "" --appendonly no` and waits until it is ready. */
  async start(): Promise<this> {
    if (this.port === 0) {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      this.port = (s.address() as AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
    }
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    this.#exited = new Promise<void>((r) => child.once("exit", () => r()));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (b: Buffer) => {
        out += b.toString();
        if (out.includes("Ready to accept connections")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("error", reject);
      this.#exited.then(() => reject(new Error(`redis-server exited before it was ready:\n${out}`)));
    });
    return this;
  }

  /** SIGTERM to this process only (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    c.kill("SIGTERM");
    const t = setTimeout(() => c.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(t);
  }
}
