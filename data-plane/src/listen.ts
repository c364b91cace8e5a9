import type { AddressInfo, Server } from "node:net";
import type { Logger } from "./log.js";
import type { HostPort } from "./options.js";

/**
 * Binds `server` and logs ONE line once bound, the line tools parse to learn ephemeral ports:
 * `{"level":30,…,"listener":"proxy","address":"127.0.0.1","port":43211,"msg":"listening"}`,
 * whatever the log level (except `silent`).
 * @param listener `proxy`, `tls` or `status`
 * @param announce false: no line (cluster workers; their primary logs each listener once)
 * @returns the bound address (`port` is the real one when 0 was asked)
 * @throws the listen error (EADDRINUSE, EACCES, …)
 */
export function listen(
  server: Server,
  at: HostPort,
  listener: string,
  log: Logger,
  announce = true,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ host: at.host, port: at.port }, () => {
      server.off("error", onError);
      const addr = server.address() as AddressInfo;
      if (announce) announceListening(log, listener, addr);
      resolve(addr);
    });
  });
}

/**
 * Logs the `listening` line of a bound listener, at info even when the level is warn or above.
 * @param addr the bound address
 */
export function announceListening(log: Logger, listener: string, addr: AddressInfo): void {
  // Tools parse this line to learn the ports: it is written at info even when the level is
  // warn or above (a child logger with its own level); only `silent` suppresses it.
  const out = log.isLevelEnabled("info") || log.level === "silent" ? log : log.child({}, { level: "info" });
  out.info({ listener, address: addr.address, port: addr.port }, "listening");
}
