import type { Duplex } from "node:stream";

/**
 * Whether a request asks for a WebSocket (RFC 6455 §4.1: GET, `Upgrade: websocket`,
 * `Connection: upgrade`): only WebSocket upgrades are proxied as such.
 * @param head a request head whose `Connection` asks for an upgrade
 */
export function isWebSocketUpgrade(head: { readonly method: string; get(name: string): string | undefined }): boolean {
  if (head.method !== "GET") return false;
  const up = head.get("upgrade");
  if (up === undefined) return false;
  for (const token of up.split(",")) if (token.trim().toLowerCase() === "websocket") return true;
  return false;
}

/**
 * Joins the client and upstream sockets of an upgraded connection: bytes flow both ways with
 * backpressure (pipe), `head` (what the client sent after its request) goes first, and either
 * side closing or failing closes the other. `onClose` runs once, when both are gone.
 */
export function tunnel(client: Duplex, upstream: Duplex, head: Buffer | null, onClose: () => void): void {
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
  const socket = client as Duplex & { setTimeout?: (ms: number) => void; setNoDelay?: (on: boolean) => void };
  socket.setTimeout?.(0);
  socket.setNoDelay?.(true);
  if (head !== null && head.length > 0) upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
  client.resume();
  upstream.resume();
}
