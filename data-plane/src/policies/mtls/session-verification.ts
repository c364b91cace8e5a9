import type { TLSSocket } from "node:tls";

/** The part of node's TLSSocket handle that reads OpenSSL's verification result (not public API). */
interface VerifyHandle {
  _handle?: { verifyError?: () => (Error & { code?: string }) | null | undefined } | null;
}

/**
 * Whether the client certificate of a connection was verified, and OpenSSL's error when not:
 * `{authorized, error}` like node's `socket.authorized` / `socket.authorizationError`.
 *
 * Node fills those two only when the connection asked for a certificate in its own handshake
 * (tls-listener.ts does that from the SNI callback). A RESUMED handshake (a TLS 1.3 ticket or a
 * TLS 1.2 session) skips the SNI callback — OpenSSL does not run the certificate callback when it
 * resumes (RFC 8446 §2.2: no certificates are exchanged) — so node leaves `authorized` false with
 * no error, although the session carries the client's certificate and OpenSSL's verdict on it
 * from the full handshake that created the session (`SSL_get_verify_result` returns the session's
 * result on resumption). For such a connection this reads that stored verdict, as nginx does with
 * `ssl_verify_client` and its session cache; the policy then still checks the chain against its
 * own CAs, the subject and the expiry. Should a future node lack the handle's `verifyError`, the
 * resumed connection stays unverified (fails closed: 403).
 * @returns `error` is an OpenSSL code such as `CERT_HAS_EXPIRED`, or `undefined` when authorized
 */
export function clientVerification(socket: TLSSocket): { authorized: boolean; error: string | Error | undefined } {
  if (socket.authorized) return { authorized: true, error: undefined };
  if (socket.authorizationError !== undefined && socket.authorizationError !== null) {
    return { authorized: false, error: socket.authorizationError };
  }
  if (!socket.isSessionReused()) return { authorized: false, error: undefined };
  const handle = (socket as unknown as VerifyHandle)._handle;
  if (typeof handle?.verifyError !== "function") return { authorized: false, error: undefined };
  const err = handle.verifyError();
  return err ? { authorized: false, error: err.code ?? err } : { authorized: true, error: undefined };
}
