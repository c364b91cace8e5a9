import type { Socket } from "node:net";

/** What node:http keeps on a socket while a response is in progress (semi-internal, stable since node 0.x). */
interface HttpSocket extends Socket {
  _httpMessage?: unknown;
}

function sweep(t: ConnectionTracker): void {
  t.closeQuiet();
}

/**
 * The HTTP/1.x client connections of the proxy, for a drain without lost requests. node's
 * `server.close()` (node ≥ 19) and `closeIdleConnections()` cut every keep-alive connection that
 * is idle at that instant — including one whose client has just sent its next request, which is
 * then lost. During a drain this tracker cuts a connection only when it has no response in
 * progress and has read no byte since the previous sweep (250 ms apart): a quiet connection, not
 * one between two requests of a busy client. Busy connections end by themselves, since every
 * response of a draining node says `Connection: close`.
 */
export class ConnectionTracker {
  readonly #sockets = new Set<Socket>();
  /** Bytes read by each socket at the previous sweep. */
  #lastRead = new WeakMap<Socket, number>();
  #timer: NodeJS.Timeout | undefined;

  /** Open connections. */
  get size(): number {
    return this.#sockets.size;
  }

  /** Tracks a new connection until it closes. */
  add(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  /** Stops tracking a connection (it became a WebSocket tunnel). */
  delete(socket: Socket): void {
    this.#sockets.delete(socket);
  }

  /** Starts sweeping quiet connections every 250 ms (drain). */
  startDrain(): void {
    if (this.#timer !== undefined) return;
    for (const s of this.#sockets) this.#lastRead.set(s, s.bytesRead);
    this.#timer = setInterval(sweep, 250, this);
  }

  /** One sweep: cuts connections with no response in progress and no byte read since the last sweep. */
  closeQuiet(): void {
    for (const s of this.#sockets) {
      const read = s.bytesRead;
      const quiet = this.#lastRead.get(s) === read && !(s as HttpSocket)._httpMessage;
      if (quiet) s.destroy();
      else this.#lastRead.set(s, read);
    }
  }

  /** Stops sweeping and cuts every connection left (the drain deadline passed). */
  destroyAll(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const s of this.#sockets) s.destroy();
  }

  /** Stops sweeping. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
