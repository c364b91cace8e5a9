import type { EventEmitter } from "node:events";
import type { AddressInfo, Socket } from "node:net";
import { createServer, type SecureContext, type Server, type TLSSocket } from "node:tls";
import type { TableHolder } from "../config/table-holder.js";
import type { Logger } from "../log.js";

/** Options of {@link TlsListener}. */
export interface TlsListenerOptions {
  /** The live table, read at each handshake for its SNI table. */
  readonly holder: TableHolder;
  /** Serves the connections negotiating `http/1.1` (or no ALPN): the engine's HTTP/1.1 server. */
  readonly http1: (socket: TLSSocket) => void;
  /** The node:http2 server that gets the connections negotiating `h2` (created on first use). */
  readonly http2: () => EventEmitter;
  readonly log: Logger;
  /** Time allowed for the TLS handshake, ms. Default 10,000. */
  readonly handshakeTimeoutMs?: number;
}

/** The parts of node's TLSSocket that a per-name client-certificate request needs (not public API). */
interface TlsSocketInternals {
  _requestCert?: boolean;
  _handle?: { setVerifyMode?: (requestCert: boolean, rejectUnauthorized: boolean) => void } | null;
}

/**
 * Asks the client of this handshake for a certificate (RFC 8446 §4.3.2, RFC 5246 §7.4.4) without
 * refusing the handshake when it sends none or a bad one. node:tls only has a server-wide
 * `requestCert`; this does per connection what node does for that option (TLSSocket `_init`)
 * and in `renegotiate()`: sets the socket's `_requestCert`, so that `authorized` and
 * `authorizationError` are computed after the handshake, and the verify mode of its handle. It
 * runs in the SNI callback, which node calls from OpenSSL's certificate callback, before the
 * server's flight is written, so the CertificateRequest goes out in this handshake. Should a
 * future node lack these internals, no certificate is asked for and the `mtls` policy refuses
 * every request (fails closed); data-plane/src/test/mtls-listener.test.ts would fail.
 */
export function requestClientCertificate(socket: TLSSocket): void {
  const s = socket as unknown as TlsSocketInternals;
  const handle = s._handle;
  if (typeof handle?.setVerifyMode !== "function") return;
  s._requestCert = true;
  handle.setVerifyMode(true, false);
}

/**
 * The HTTPS listener: TLS termination with the certificate chosen by the client's server name
 * (SNI, RFC 6066 §3) from the live table — so certificates are hot-swapped with each config —
 * and ALPN (RFC 7301) offering `h2` then `http/1.1`. After the handshake the connection goes to
 * the proxy's node:http2 server or to its HTTP/1.1 engine, which treat it like any other.
 *
 * A client that names no certificate of the table, or sends no SNI at all, fails the handshake
 * (alert 40, handshake_failure): there is no default certificate to leak names with.
 *
 * On a name that requires a client certificate (the SNI entry's `requestCert`: an mTLS name) the
 * handshake asks for one and OpenSSL verifies it against that name's CAs, but never refuses the
 * handshake for it: the `mtls` policy answers per request with a stable code and a security
 * event (403 `AUTH_CERT_REQUIRED`). Other names never ask, so browsers see no certificate prompt.
 */
export class TlsListener {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(opts: TlsListenerOptions) {
    const { holder, http1, http2, log } = opts;
    this.#server = createServer({
      // A client that shuts its sending side still gets its answers (the engine ends our side).
      allowHalfOpen: true,
      ALPNProtocols: ["h2", "http/1.1"],
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
      // A client certificate that fails verification is the mtls policy's to refuse (per request).
      rejectUnauthorized: false,
      // `function`: node calls it as a method of the TLS socket being negotiated.
      SNICallback(this: TLSSocket, servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) {
        const entry = holder.table?.sni.resolve(servername);
        if (entry?.requestCert) requestClientCertificate(this);
        // No context → the default one, which has no certificate: the handshake fails cleanly.
        cb(null, entry?.context);
      },
    });
    // Raw connections, tracked so that the ones left at the drain deadline can be cut.
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
    this.#server.on("secureConnection", (socket: TLSSocket) => {
      if (socket.alpnProtocol === "h2") http2().emit("connection", socket);
      else http1(socket);
    });
    this.#server.on("tlsClientError", (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      socket.destroy();
      if (log.isLevelEnabled("debug")) {
        log.debug(
          { code: err.code, reason: err.message, servername: socket.servername || undefined },
          "TLS handshake failed",
        );
      }
    });
  }

  /** The tls.Server (to listen on). */
  get server(): Server {
    return this.#server;
  }

  /** The bound address, once listening. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /**
   * Stops accepting connections. Connections already handed over are drained by the proxy
   * server's own close; this resolves once every TLS connection has ended.
   */
  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Cuts every remaining TLS connection (after the drain deadline). */
  destroyConnections(): void {
    for (const s of this.#sockets) s.destroy();
  }
}
