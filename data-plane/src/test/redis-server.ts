// Test helper: a real redis-server on a free loopback port, no persistence, stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { stopChild } from "@palisade/test-support";

/** A running redis-server started by a test. */
export interface RedisServer {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM (then SIGKILL after 5 s) to this process only, by its PID. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Starts `redis-server --port N --bind 127.0.0.1 --save "" --appendonly no` and waits for
 * "Ready to accept connections".
 * @throws when redis-server is not installed (scripts/test.mjs installs it) or exits first
 */
export async function startRedis(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("Ready to accept connections")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", reject);
    exited.then(() => reject(new Error(`redis-server exited before it was ready:\n${out}`)));
  });
  return {
    port: p,
    child,
    stop: () => stopChild(child, exited),
  };
}
