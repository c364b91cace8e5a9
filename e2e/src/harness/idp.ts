import { sign as cryptoSign, KeyObject } from "node:crypto";
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
  /** Leave `exp` out. */
  noExp?: boolean;
  nbfIn?: number;
  kid?: string;
  /** Which of the IdP's keys signs (default: the first key, `idp-1`). */
  key?: string;
  extra?: Record<string, unknown>;
}

interface KeyPair {
  readonly kid: string;
  /** For jose. */
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  /** For node:crypto. */
  readonly keyObject: KeyObject;
  readonly jwk: JWK;
}

/**
 * A real identity provider for tests: RSA key pairs (RS256) whose public halves are served as a
 * JWKS at `/jwks` on 127.0.0.1, and a signer for tokens. Keys can be added and the published
 * set changed mid-test (rotation); the endpoint can answer 503 (`down`) or stop listening, and
 * counts its fetches. Answers carry `Cache-Control: max-age=<maxAgeS>`.
 */
export class TestIdp {
  readonly issuer = "https://idp.example.test";
  readonly kid = "idp-1";
  /** JWKS fetches served (any status). */
  fetches = 0;
  /** When true, `/jwks` answers 503. */
  down = false;
  /** The `max-age` of JWKS answers, seconds. */
  maxAgeS = 300;
  port = 0;
  #keys = new Map<string, KeyPair>();
  #published: string[] = [];
  #server: Server | undefined;

  static async create(): Promise<TestIdp> {
    const idp = new TestIdp();
    await idp.addKey("idp-1");
    idp.publish(["idp-1"]);
    return idp;
  }

  /** Generates an RS256 key pair named `kid` (not published until {@link publish}). */
  async addKey(kid: string): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    this.#keys.set(kid, { kid, privateKey, keyObject: KeyObject.from(privateKey), jwk });
  }

  /** Sets the keys the JWKS endpoint publishes. */
  publish(kids: string[]): void {
    for (const k of kids) if (!this.#keys.has(k)) throw new Error(`no key ${k}`);
    this.#published = [...kids];
  }

  /** The published JWKS document. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#published.map((k) => this.#keys.get(k)!.jwk) };
  }

  /** A key's public JWK (for attacks such as HS256-with-the-public-key). */
  publicJwk(kid = this.kid): JWK {
    return this.#keys.get(kid)!.jwk;
  }

  /** Serves the JWKS at `/jwks` (on `port`, default any free port). */
  async serve(port = 0): Promise<string> {
    this.#server = createServer((req, res) => {
      if (req.url !== "/jwks") {
        res.writeHead(404).end();
        return;
      }
      this.fetches++;
      if (this.down) {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"down"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "cache-control": `max-age=${this.maxAgeS}` });
      res.end(JSON.stringify(this.jwks()));
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this.url;
  }

  /** The JWKS URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/jwks`;
  }

  /** Signs an RS256 token with one of this IdP's keys (default `idp-1`). */
  async sign(spec: TokenSpec = {}): Promise<string> {
    const key = this.#keys.get(spec.key ?? this.kid)!;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...(spec.extra ?? {}) })
      .setProtectedHeader({ alg: "RS256", kid: spec.kid ?? key.kid, typ: "JWT" })
      .setSubject(spec.sub ?? "user-1")
      .setIssuer(spec.iss ?? this.issuer)
      .setAudience(spec.aud ?? "palisade-demo")
      .setIssuedAt(now);
    if (!spec.noExp) jwt.setExpirationTime(now + (spec.expIn ?? 300));
    if (spec.nbfIn !== undefined) jwt.setNotBefore(now + spec.nbfIn);
    return jwt.sign(key.privateKey);
  }

  /**
   * Signs any header and payload with RS256 and one of the keys, without any library check
   * (`alg` in the header is whatever the test says): for attack tokens.
   */
  signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key = this.kid): string {
    const input = `${b64(header)}.${b64(payload)}`;
    const sig = cryptoSign("sha256", Buffer.from(input), this.#keys.get(key)!.keyObject);
    return `${input}.${sig.toString("base64url")}`;
  }

  /** Standard claims for {@link signRaw}: sub, iss, aud, iat, exp (+300 s). */
  claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return { sub: "user-1", iss: this.issuer, aud: "palisade-demo", iat: now, exp: now + 300, ...extra };
  }

  /** Stops listening (the port is free again; {@link serve} with the same port restarts). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}
