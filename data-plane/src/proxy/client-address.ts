import type { DownstreamRequest } from "./downstream.js";

/**
 * The client's address as this node sees it: the one place every use (forwarding headers,
 * consistent hashing, logs) asks. Today it is the TCP peer, since no proxy in front is trusted
 * and a client must not choose its own address; trusted proxies (reading `Forwarded` /
 * `X-Forwarded-For` from them) plug in here.
 * @returns an IP address (IPv6 without brackets), or `undefined` when the socket is gone
 */
export function clientAddress(req: DownstreamRequest): string | undefined {
  return req.socket.remoteAddress;
}
