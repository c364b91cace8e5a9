import { connect as h2connect } from "node:http2";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";

/** An answer over TLS, with what the handshake showed. */
export interface TlsAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  /** The certificate the server presented. */
  cert: PeerCertificate;
  /** The ALPN protocol negotiated (`h2`, `http/1.1`), or false. */
  alpn: string | false;
}

/** A request over TLS: method, headers, body, and a client certificate to present. */
export interface TlsRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Client certificate and key (PEM) for the handshake. */
  clientCert?: { readonly certPem: string; readonly keyPem: string };
}

/**
 * HTTPS/1.1 request to 127.0.0.1:`port` with SNI `servername` (also the `Host` unless
 * `init.headers.host` says otherwise), trusting `ca`.
 */
export function https1(
  port: number,
  servername: string,
  path: string,
  ca: string,
  init: TlsRequestInit = {},
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols is a tls option node's https typings leave out.
    const options = {
      host: "127.0.0.1",
      port,
      path,
      method: init.method ?? "GET",
      servername,
      headers: { host: servername, ...(init.headers ?? {}) },
      ca,
      ALPNProtocols: ["http/1.1"],
      agent: false,
      ...(init.clientCert !== undefined ? { cert: init.clientCert.certPem, key: init.clientCert.keyPem } : {}),
    } as RequestOptions;
    const req = httpsRequest(options, (res) => {
      const socket = res.socket as TLSSocket;
      const cert = socket.getPeerCertificate();
      const alpn = socket.alpnProtocol ?? false;
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, cert, alpn }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** HTTP/2 request (one session per call) to 127.0.0.1:`port` with SNI and `:authority` `servername`. */
export async function h2(
  port: number,
  servername: string,
  path: string,
  ca: string,
  init: TlsRequestInit = {},
): Promise<TlsAnswer> {
  const session = h2connect(`https://127.0.0.1:${port}`, {
    servername,
    ca,
    ...(init.clientCert !== undefined ? { cert: init.clientCert.certPem, key: init.clientCert.keyPem } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    const socket = session.socket as TLSSocket;
    const cert = socket.getPeerCertificate();
    const alpn = socket.alpnProtocol ?? false;
    const stream = session.request(
      { ":method": init.method ?? "GET", ":path": path, ":authority": servername, ...(init.headers ?? {}) },
      { endStream: init.body === undefined },
    );
    if (init.body !== undefined) stream.end(init.body);
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      stream.once("response", (h) => resolve(h as Record<string, unknown>));
      stream.once("error", reject);
    });
    let body = "";
    for await (const c of stream) body += c;
    return { status: headers[":status"] as number, headers, body, cert, alpn };
  } finally {
    session.close();
  }
}
