import { type AddressInfo, createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read, closed), for a
 * server a test starts as another process (redis-server, PostgreSQL). Another process may take
 * it in between; tests that start servers in-process bind port 0 instead.
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
