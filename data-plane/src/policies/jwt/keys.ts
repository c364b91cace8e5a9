import { createHash, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from "node:crypto";

/**
 * Verification keys: JWKs (RFC 7517) and PEM public keys turned into node:crypto KeyObjects,
 * each bound to the algorithms it may verify (its type and curve ∩ its own `alg` ∩ the policy's
 * allow-list). A key can never be used with an algorithm of another family: an RSA public key is
 * not an HMAC secret here, whatever a token's header says (RFC 8725 §2.1).
 */

/** JWS algorithms this node verifies (RFC 7518 §3.1, RFC 8037 §3.1). `none` is never one of them. */
export const SUPPORTED_ALGORITHMS: readonly string[] = Object.freeze([
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

/** The allow-list used when a policy lists no algorithm: every asymmetric one, never HMAC. */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze(
  SUPPORTED_ALGORITHMS.filter((a) => !a.startsWith("HS")),
);

/** Minimum HMAC key length in bytes per algorithm: the hash output size (RFC 7518 §3.2). */
export const HMAC_MIN_KEY_BYTES: Readonly<Record<string, number>> = Object.freeze({
  HS256: 32,
  HS384: 48,
  HS512: 64,
});

/** Minimum RSA modulus in bits (RFC 7518 §3.3, §3.5). */
export const RSA_MIN_BITS = 2048;

/** A key as imported, before a policy's allow-list narrows it. */
export interface ImportedKey {
  readonly kid: string | undefined;
  /** The key's own `alg` pin, if it has one. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /** Algorithms the key's type allows (before the key pin and the policy's list). */
  readonly algs: readonly string[];
  /** Stable identity (sha256 over kid and key material), to tell whether a key is still published. */
  readonly id: string;
}

/** A key ready for verification: `algs` is already narrowed to what the policy allows. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  readonly algs: ReadonlySet<string>;
  readonly id: string;
}

const EC_ALGS: Readonly<Record<string, string>> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };

/** Algorithms a KeyObject's type allows, or the reason it is unusable. */
function algsForKey(key: KeyObject): readonly string[] | string {
  if (key.type === "secret") {
    const n = key.symmetricKeySize ?? 0;
    const algs = Object.entries(HMAC_MIN_KEY_BYTES)
      .filter(([, min]) => n >= min)
      .map(([a]) => a);
    return algs.length > 0 ? algs : "an HMAC key must be at least 256 bits (RFC 7518 §3.2)";
  }
  const t = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (t === "rsa" || t === "rsa-pss") {
    if ((d.modulusLength ?? 0) < RSA_MIN_BITS) return `an RSA key must be at least ${RSA_MIN_BITS} bits`;
    const ps = ["PS256", "PS384", "PS512"];
    return t === "rsa" ? ["RS256", "RS384", "RS512", ...ps] : ps;
  }
  if (t === "ec") {
    const alg = EC_ALGS[d.namedCurve ?? ""];
    return alg ? [alg] : `unsupported EC curve ${d.namedCurve}`;
  }
  if (t === "ed25519") return ["EdDSA", "Ed25519"];
  if (t === "ed448") return ["EdDSA"];
  return `unsupported key type ${t}`;
}

function identity(kid: string | undefined, material: Buffer): string {
  return createHash("sha256")
    .update(kid ?? "")
    .update("\u0000")
    .update(material)
    .digest("base64url");
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "priv"];

/**
 * Imports one JWK.
 * @param allowSecret whether `oct` keys are accepted (inline config only; never from a URL)
 * @returns the key, or the reason it is refused (never quoting key material)
 */
export function importJwk(jwk: unknown, allowSecret: boolean): ImportedKey | string {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return "not a JWK object";
  const j = jwk as Record<string, unknown>;
  if (typeof j.kty !== "string") return 'missing "kty"';
  if (j.kid !== undefined && typeof j.kid !== "string") return '"kid" is not a string';
  if (j.alg !== undefined && typeof j.alg !== "string") return '"alg" is not a string';
  if (j.use !== undefined && j.use !== "sig") return `"use" is ${JSON.stringify(j.use)}, not "sig"`;
  if (j.key_ops !== undefined && !(Array.isArray(j.key_ops) && j.key_ops.includes("verify"))) {
    return '"key_ops" does not allow "verify"';
  }
  const kid = j.kid as string | undefined;
  const alg = j.alg as string | undefined;
  let key: KeyObject;
  let material: Buffer;
  try {
    if (j.kty === "oct") {
      if (!allowSecret) return "oct (secret) keys are not accepted here";
      if (typeof j.k !== "string" || j.k === "") return 'oct key without "k"';
      material = Buffer.from(j.k, "base64url");
      key = createSecretKey(material);
    } else {
      // A verifier needs public keys only; private material in config is a leak waiting to happen.
      if (PRIVATE_MEMBERS.some((m) => j[m] !== undefined)) return "holds private key material";
      key = createPublicKey({ key: j as JsonWebKey, format: "jwk" });
      material = key.export({ type: "spki", format: "der" });
    }
  } catch {
    return "not a valid key";
  }
  const algs = algsForKey(key);
  if (typeof algs === "string") return algs;
  if (alg !== undefined && !algs.includes(alg)) return `"alg" ${alg} does not fit the key type`;
  return Object.freeze({ kid, alg, key, algs, id: identity(kid, material) });
}

/**
 * Imports a PEM public key: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`) or the key of an
 * X.509 `CERTIFICATE`. Private keys are refused.
 * @returns the key, or the reason it is refused
 */
export function importPem(pem: string, kid: string | undefined, alg: string | undefined): ImportedKey | string {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return "holds a private key; give the public key";
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return "not a PEM public key or certificate";
  }
  const algs = algsForKey(key);
  if (typeof algs === "string") return algs;
  if (alg !== undefined && !algs.includes(alg)) return `alg ${alg} does not fit the key type`;
  const material = key.export({ type: "spki", format: "der" });
  return Object.freeze({ kid, alg, key, algs, id: identity(kid, material) });
}

/**
 * Narrows an imported key to the policy's algorithms.
 * @returns `undefined` when the key fits none of them
 */
export function narrow(k: ImportedKey, allowed: ReadonlySet<string>): VerificationKey | undefined {
  const algs = new Set(k.algs.filter((a) => allowed.has(a) && (k.alg === undefined || k.alg === a)));
  return algs.size === 0 ? undefined : Object.freeze({ kid: k.kid, key: k.key, algs, id: k.id });
}

/**
 * The keys of one policy, looked up by `kid` and algorithm. A key with a `kid` verifies only
 * tokens naming that `kid` (or no `kid`); a key without one verifies any token of a fitting
 * algorithm. `kid` is compared as an exact string and never used for anything but this lookup.
 */
export class KeySet {
  readonly generation: number;
  #byKid = new Map<string, VerificationKey[]>();
  #noKid: VerificationKey[] = [];
  #all: VerificationKey[];
  #ids: Set<string>;

  constructor(keys: readonly VerificationKey[], generation = 0) {
    this.generation = generation;
    this.#all = [...keys];
    this.#ids = new Set(keys.map((k) => k.id));
    for (const k of keys) {
      if (k.kid === undefined) this.#noKid.push(k);
      else {
        const list = this.#byKid.get(k.kid);
        if (list === undefined) this.#byKid.set(k.kid, [k]);
        else list.push(k);
      }
    }
  }

  /** Number of keys. */
  get size(): number {
    return this.#all.length;
  }

  /** Whether the key with identity `id` is (still) in the set. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Keys that may verify a token with this `alg` and `kid` (empty: the key is unknown). */
  candidates(alg: string, kid: string | undefined): readonly VerificationKey[] {
    const pool = kid === undefined ? this.#all : (this.#byKid.get(kid) ?? this.#noKid);
    let out: VerificationKey[] | undefined;
    for (const k of pool) {
      if (!k.algs.has(alg)) continue;
      if (pool.length === 1) return pool;
      if (out === undefined) out = [k];
      else out.push(k);
    }
    if (out === undefined && kid !== undefined && pool !== this.#noKid) {
      // The kid names keys of other algorithms only: keys without a kid may still fit.
      return this.#noKid.filter((k) => k.algs.has(alg));
    }
    return out ?? [];
  }
}
