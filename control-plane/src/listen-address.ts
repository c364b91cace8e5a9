import { OptionError } from "./errors.js";

/** A parsed `host:port` listen address. Port 0 asks the OS for a free port. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `:port` (all interfaces).
 * @throws OptionError naming `option` when the port is not 0..65535 or the host is empty.
 */
export function parseListenAddress(option: string, value: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) throw new OptionError(option, `expected host:port, got ${JSON.stringify(value)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new OptionError(option, `port ${port} is out of range 0-65535`);
  const host = m[1] ?? (m[2] || "0.0.0.0");
  return { host, port };
}

/** Formats a listen address for logs and URLs (`[::1]:8001`). */
export function formatAddress(a: ListenAddress): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
