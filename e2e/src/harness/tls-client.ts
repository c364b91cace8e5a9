import { connect as h2connect } from "node:http2";
import { Agent, request as httpsRequest, type RequestOptions } from "node:https";
import { type PeerCertificate, type TLSSocket, connect as tlsConnect } from "node:tls";

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

/** One request of {@link https1KeepAlive}: its path and, when it differs from the SNI, its `Host`. */
export interface KeepAliveStep {
  path: string;
  host?: string;
}

/** An answer of {@link https1KeepAlive}, with whether it came over the first request's connection. */
export interface KeepAliveAnswer {
  status: number;
  body: string;
  /** The request went out on the connection (and TLS session) an earlier request opened. */
  reusedSocket: boolean;
}

/**
 * Several HTTPS/1.1 requests, one after the other, on ONE keep-alive TLS connection to
 * 127.0.0.1:`port` with SNI `servername` (one handshake, one client certificate): each step's
 * `Host` is its own `host` or the server name. For checks that must hold on every request of a
 * connection, not only on its first (case C31: Host switched after the handshake).
 */
export async function https1KeepAlive(
  port: number,
  servername: string,
  steps: readonly KeepAliveStep[],
  ca: string,
  init: Pick<TlsRequestInit, "clientCert"> = {},
): Promise<KeepAliveAnswer[]> {
  // No TLS session cache: a connection the client opens after the node closed one is a full
  // handshake (https1Resumed covers resumption).
  const agent = new Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0 });
  try {
    const out: KeepAliveAnswer[] = [];
    for (const step of steps) {
      out.push(
        await new Promise<KeepAliveAnswer>((resolve, reject) => {
          const options = {
            host: "127.0.0.1",
            port,
            path: step.path,
            servername,
            headers: { host: step.host ?? servername },
            ca,
            ALPNProtocols: ["http/1.1"],
            agent,
            ...(init.clientCert !== undefined ? { cert: init.clientCert.certPem, key: init.clientCert.keyPem } : {}),
          } as RequestOptions;
          const req = httpsRequest(options, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => {
              body += c;
            });
            res.on("end", () => resolve({ status: res.statusCode!, body, reusedSocket: req.reusedSocket }));
          });
          req.on("error", reject);
          req.end();
        }),
      );
    }
    return out;
  } finally {
    agent.destroy();
  }
}

/**
 * Opens a TLS connection to 127.0.0.1:`port` WITHOUT a server name (as a client connecting by IP
 * address does: RFC 6066 §3 forbids an IP literal in SNI) and reports how the handshake ended.
 */
export function tlsWithoutSni(port: number, ca: string): Promise<{ handshake: "ok" | "refused"; error?: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca, ALPNProtocols: ["http/1.1"] });
    socket.once("secureConnect", () => {
      socket.destroy();
      resolve({ handshake: "ok" });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ handshake: "refused", error: err.code ?? err.message });
    });
  });
}

/**
 * Two HTTPS/1.1 requests on two connections to 127.0.0.1:`port` with SNI `servername`, the second
 * resuming the first one's TLS session (the client keeps the session ticket, as browsers, curl and
 * Go clients do). Reports each answer and whether the second handshake was a resumption.
 */
export async function https1Resumed(
  port: number,
  servername: string,
  path: string,
  ca: string,
  init: Pick<TlsRequestInit, "clientCert"> = {},
): Promise<{ answers: { status: number; body: string }[]; resumed: boolean }> {
  const agent = new Agent({ keepAlive: false, maxCachedSessions: 10 });
  try {
    const answers: { status: number; body: string }[] = [];
    let resumed = false;
    for (let i = 0; i < 2; i++) {
      answers.push(
        await new Promise((resolve, reject) => {
          const options = {
            host: "127.0.0.1",
            port,
            path,
            servername,
            headers: { host: servername },
            ca,
            ALPNProtocols: ["http/1.1"],
            agent,
            ...(init.clientCert !== undefined ? { cert: init.clientCert.certPem, key: init.clientCert.keyPem } : {}),
          } as RequestOptions;
          const req = httpsRequest(options, (res) => {
            if (i === 1) resumed = (res.socket as TLSSocket).isSessionReused();
            let body = "";
            res.on("data", (c: Buffer) => {
              body += c;
            });
            res.on("end", () => resolve({ status: res.statusCode!, body }));
          });
          req.on("error", reject);
          req.end();
        }),
      );
    }
    return { answers, resumed };
  } finally {
    agent.destroy();
  }
}
