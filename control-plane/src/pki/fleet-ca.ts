import "reflect-metadata";
import { createPublicKey, KeyObject, randomBytes, verify, webcrypto, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import type { Logger } from "../log.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256 with SHA-256: every key and signature of the fleet PKI. */
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A private key and certificate, PEM. */
export interface KeyCertPem {
  readonly keyPem: string;
  readonly certPem: string;
}

/** A certificate issued to a node. */
export interface IssuedCert {
  readonly certPem: string;
  /** Serial number, upper-case hex (as node:tls reports it). */
  readonly serial: string;
  readonly notAfter: Date;
}

/** Why a certificate request was refused. */
export class CertRequestError extends Error {
  override readonly name = "CertRequestError";
}

/**
 * The fleet's certificate authority: the control plane signs its own sync-port server
 * certificate and every node's client certificate with it. The CA key (EC P-256, PKCS#8) and
 * certificate are created on first start in `dir` (`ca.key` mode 0600, `ca.crt`), or kept in
 * memory when `dir` is undefined (tests). Node certificates carry `CN=<node id>`,
 * `OU=<region>`, `O=palisade-node`, EKU clientAuth; the sync server reads the node id and region
 * from them, so a node cannot claim another id.
 */
export class FleetCa {
  readonly #keys: CryptoKeyPair;
  readonly #cert: x509.X509Certificate;
  /** The CA certificate, PEM: the trust anchor nodes dial the sync port with. */
  readonly certPem: string;

  private constructor(keys: CryptoKeyPair, cert: x509.X509Certificate) {
    this.#keys = keys;
    this.#cert = cert;
    this.certPem = cert.toString("pem");
  }

  /**
   * Loads the CA from `dir`, creating it (valid 10 years) when the directory has none.
   * @throws when the files exist but cannot be read or parsed
   */
  static async open(dir: string | undefined, log?: Logger): Promise<FleetCa> {
    const keyPath = dir && join(dir, "ca.key");
    const certPath = dir && join(dir, "ca.crt");
    if (keyPath && certPath && existsSync(keyPath) && existsSync(certPath)) {
      const privateKey = await webcrypto.subtle.importKey("pkcs8", pemBody(readFileSync(keyPath, "utf8")), ALG, true, [
        "sign",
      ]);
      const cert = new x509.X509Certificate(readFileSync(certPath, "utf8"));
      const publicKey = await cert.publicKey.export(ALG, ["verify"]);
      return new FleetCa({ privateKey, publicKey } as CryptoKeyPair, cert);
    }
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=Palisade fleet CA ${randomBytes(4).toString("hex")}, O=palisade`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 10 * 365 * 86_400_000),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const ca = new FleetCa(keys, cert);
    if (dir && keyPath && certPath) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const pkcs8 = KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }) as string;
      writeAtomic(keyPath, pkcs8, 0o600);
      writeAtomic(certPath, ca.certPem, 0o644);
      log?.info({ dir }, "fleet CA created");
    }
    return ca;
  }

  /**
   * Issues the sync port's server certificate for `hostnames` (DNS names or IP addresses;
   * `localhost`, 127.0.0.1 and ::1 are always included). Valid 1 year; made at every start.
   */
  async issueServerCert(hostnames: readonly string[]): Promise<KeyCertPem> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const names = new Set(["localhost", "127.0.0.1", "::1", ...hostnames]);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: "CN=palisade-control-plane, O=palisade",
      issuer: this.#cert.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * 86_400_000),
      publicKey: keys.publicKey,
      signingKey: this.#keys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          [...names].map((n) => (/^[\d.]+$|:/.test(n) ? { type: "ip", value: n } : { type: "dns", value: n })),
        ),
      ],
    });
    return {
      keyPem: KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }) as string,
      certPem: `${cert.toString("pem")}\n${this.certPem}\n`,
    };
  }

  /**
   * Issues a node's client certificate for its public key.
   * @param publicKeyDer DER SubjectPublicKeyInfo; must be EC P-256
   * @param ttlMs validity, ms
   * @throws CertRequestError when the key is not EC P-256
   */
  async issueNodeCert(nodeId: string, region: string, publicKeyDer: Uint8Array, ttlMs: number): Promise<IssuedCert> {
    const key = parseNodeKey(publicKeyDer);
    const publicKey = await webcrypto.subtle.importKey("spki", key.export({ type: "spki", format: "der" }), ALG, true, [
      "verify",
    ]);
    const now = Date.now();
    const notAfter = new Date(now + ttlMs);
    const sn = serial();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: sn,
      subject: `CN=${nodeId}, OU=${region}, O=palisade-node`,
      issuer: this.#cert.subject,
      notBefore: new Date(now - 60_000),
      notAfter,
      publicKey,
      signingKey: this.#keys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ],
    });
    const pem = cert.toString("pem");
    return { certPem: pem, serial: new X509Certificate(pem).serialNumber.toUpperCase(), notAfter };
  }
}

/**
 * Checks a proof of possession: an ECDSA-SHA256 signature by `publicKeyDer` over `message`.
 * @throws CertRequestError when the key is not EC P-256 or the signature does not verify
 */
export function checkProof(publicKeyDer: Uint8Array, proof: Uint8Array, message: string): void {
  const key = parseNodeKey(publicKeyDer);
  if (!verify("sha256", Buffer.from(message, "utf8"), key, proof))
    throw new CertRequestError("the proof of possession does not verify with the public key");
}

function parseNodeKey(der: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
  } catch {
    throw new CertRequestError("public_key is not a DER SubjectPublicKeyInfo");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1")
    throw new CertRequestError("public_key must be an EC P-256 key");
  return key;
}

/** 16 random bytes, high bit clear (a positive INTEGER, RFC 5280 §4.1.2.2). */
function serial(): string {
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  b[0]! |= 0x01;
  return b.toString("hex");
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
