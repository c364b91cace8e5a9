import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** Claims and header overrides for a test token. */
export interface TokenSpec {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  /** Seconds from now (negative = past). */
  expIn?: number;
  nbfIn?: number;
  kid?: string;
  extra?: Record<string, unknown>;
}

/**
 * A real identity provider for tests: an RSA key pair (RS256) whose public
 * half is served as a JWKS at `/jwks` on 127.0.0.1:0, and a signer for tokens.
 */
export class TestIdp {
  readonly issuer = "https://idp.example.test";
  readonly kid = "idp-1";
  #privateKey!: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  #jwk!: JWK;
  #server: Server | undefined;
  port = 0;

  static async create(): Promise<TestIdp> {
    const idp = new TestIdp();
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    idp.#privateKey = privateKey;
    idp.#jwk = { ...(await exportJWK(publicKey)), kid: idp.kid, alg: "RS256", use: "sig" };
    return idp;
  }

  /** The JWKS document with the public key. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.#jwk] };
  }

  /** The public key as a JWK (for building attacks such as HS256-with-the-public-key). */
  publicJwk(): JWK {
    return this.#jwk;
  }

  /** Serves the JWKS at `/jwks`. */
  async serve(): Promise<string> {
    this.#server = createServer((req, res) => {
      if (req.url !== "/jwks") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
      res.end(JSON.stringify(this.jwks()));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/jwks`;
  }

  /** Signs an RS256 token with this IdP's key. */
  async sign(spec: TokenSpec = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...(spec.extra ?? {}) })
      .setProtectedHeader({ alg: "RS256", kid: spec.kid ?? this.kid, typ: "JWT" })
      .setSubject(spec.sub ?? "user-1")
      .setIssuer(spec.iss ?? this.issuer)
      .setAudience(spec.aud ?? "palisade-demo")
      .setIssuedAt(now)
      .setExpirationTime(now + (spec.expIn ?? 300));
    if (spec.nbfIn !== undefined) jwt.setNotBefore(now + spec.nbfIn);
    return jwt.sign(this.#privateKey);
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}
