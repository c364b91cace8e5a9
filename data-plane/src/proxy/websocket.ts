import { validateHeaderName, validateHeaderValue } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { DownstreamRequest } from "./downstream.js";
import type { HeaderValues } from "./hop-by-hop.js";

/**
 * Whether a request asks for a WebSocket (RFC 6455 §4.1: GET, `Upgrade: websocket`,
 * `Connection: upgrade`). node:http routes any request with `Connection: upgrade` to the
 * `upgrade` event; only WebSocket upgrades are proxied as such.
 */
export function isWebSocketUpgrade(req: DownstreamRequest): boolean {
  if (req.method !== "GET") return false;
  const up = req.headers.upgrade;
  if (typeof up !== "string") return false;
  for (const token of up.split(",")) if (token.trim().toLowerCase() === "websocket") return true;
  return false;
}

/**
 * The `101 Switching Protocols` head sent to the client: the upstream's headers (hop-by-hop
 * removed by `response_filter`) plus `Connection: Upgrade` and `Upgrade` (RFC 9110 §7.8).
 * @throws TypeError (node's ERR_INVALID_HTTP_TOKEN / ERR_INVALID_CHAR) when an upstream header
 *   name or value is not valid on the wire
 */
export function switchingProtocolsHead(headers: HeaderValues, upgrade: string): string {
  let head = `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${upgrade}\r\n`;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    validateHeaderName(name);
    for (const one of typeof v === "string" ? [v] : v) {
      validateHeaderValue(name, one);
      head += `${name}: ${one}\r\n`;
    }
  }
  return `${head}\r\n`;
}

/**
 * Joins the client and upstream sockets of an upgraded connection: bytes flow both ways with
 * backpressure (pipe), `head` (what the client sent after its request) goes first, and either
 * side closing or failing closes the other. `onClose` runs once, when both are gone.
 */
export function tunnel(client: Socket, upstream: Duplex, head: Buffer | null, onClose: () => void): void {
  let open = 2;
  const closed = () => {
    if (--open === 0) onClose();
  };
  const fail = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", fail);
  upstream.on("error", fail);
  client.once("close", () => {
    upstream.destroy();
    closed();
  });
  upstream.once("close", () => {
    client.destroy();
    closed();
  });
  client.setTimeout(0);
  client.setNoDelay(true);
  if (head !== null && head.length > 0) upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
  client.resume();
}
