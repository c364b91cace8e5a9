import { hash, timingSafeEqual } from "node:crypto";
import type { Consumer } from "@palisade/proto";
import type { ConsumerRef } from "../contract.js";

/** A consumer as credentials resolve to it. */
export interface ConsumerEntry {
  readonly ref: ConsumerRef;
  /** A disabled consumer's credentials still resolve to it, and are then refused. */
  readonly disabled: boolean;
}

/** Client-certificate facts a certificate identity is matched against. */
export interface CertificateFacts {
  /** RFC 4514-style subject DN as the node renders it, e.g. `CN=svc-a,O=Example`. */
  readonly subjectDn: string;
  readonly sanDns: readonly string[];
  readonly sanUri: readonly string[];
  readonly sanEmail: readonly string[];
  /** SANs node quoted (special or control characters) and the parser dropped; 0 when every SAN was read. */
  readonly sanDropped?: number;
  /** SHA-256 of the DER certificate, lower-case hex. */
  readonly fingerprintSha256: string;
}

/** A consumer index entry could not be built (duplicate identity, bad hash). */
export class ConsumerIndexError extends Error {
  override readonly name = "ConsumerIndexError";
  /** `consumer/<name>`. */
  readonly resource: string;
  constructor(message: string, resource: string) {
    super(message);
    this.resource = resource;
  }
}

// Printable ASCII without white space at either end (RFC 9110 §5.5 field-content, ASCII only).
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

interface IssuerIdentities {
  readonly subjects: Map<string, ConsumerEntry>;
  /** claim name → claim value → consumer, in the order credentials were listed. */
  readonly claims: Map<string, Map<string, ConsumerEntry>>;
}

interface ApiKeyEntry {
  readonly sha256: Buffer;
  readonly consumer: ConsumerEntry;
}

/**
 * Consumers and their credentials from one snapshot, indexed for the request path:
 * - API keys by the SHA-256 of the key (the node never holds a key, only its hash). Because the
 *   lookup key is a hash of the presented key, a timing difference reveals nothing about any
 *   stored key; the final comparison is constant-time (`timingSafeEqual`) all the same;
 * - JWT identities by issuer, then `sub` or a named claim's value;
 * - client-certificate identities by subject DN, SAN (DNS, URI, email) or fingerprint.
 * Immutable once built; a new config version builds a new index.
 */
export class ConsumerIndex {
  #apiKeys = new Map<string, ApiKeyEntry>();
  #jwt = new Map<string, IssuerIdentities>();
  #certs = new Map<string, ConsumerEntry>();
  #size = 0;

  /**
   * @throws ConsumerIndexError when a credential is malformed or the same identity belongs to
   *   two credentials
   */
  constructor(consumers: readonly Consumer[]) {
    const ids = new Set<string>();
    for (const c of consumers) {
      const resource = `consumer/${c.name || c.id}`;
      if (c.id === "") throw new ConsumerIndexError("consumer without an id", resource);
      if (ids.has(c.id)) throw new ConsumerIndexError(`duplicate consumer id "${c.id}"`, resource);
      // Both are sent upstream as X-Consumer-Id / X-Consumer-Name: header-safe ASCII only.
      if (!HEADER_SAFE.test(c.id))
        throw new ConsumerIndexError("id: not printable ASCII (sent as X-Consumer-Id)", resource);
      if (c.name !== "" && !HEADER_SAFE.test(c.name))
        throw new ConsumerIndexError("name: not printable ASCII (sent as X-Consumer-Name)", resource);
      ids.add(c.id);
      const entry: ConsumerEntry = Object.freeze({
        ref: Object.freeze({ id: c.id, name: c.name }),
        disabled: c.disabled,
      });
      for (const [i, cred] of c.credentials.entries()) this.#add(entry, cred, `${resource}`, i);
      this.#size++;
    }
  }

  /** Number of consumers. */
  get size(): number {
    return this.#size;
  }

  #add(entry: ConsumerEntry, cred: Consumer["credentials"][number], resource: string, i: number): void {
    const bad = (msg: string) => new ConsumerIndexError(`credentials[${i}]: ${msg}`, resource);
    const k = cred.kind;
    switch (k.case) {
      case "apiKey": {
        if (k.value.sha256.byteLength !== 32) throw bad("api_key.sha256 must be 32 bytes");
        const sha256 = Buffer.from(k.value.sha256);
        const hex = sha256.toString("hex");
        if (this.#apiKeys.has(hex)) throw bad("the same API key belongs to two credentials");
        this.#apiKeys.set(hex, { sha256, consumer: entry });
        return;
      }
      case "jwt": {
        const { issuer, subject, claim, value } = k.value;
        if (issuer === "") throw bad("jwt.issuer is required");
        if ((subject === "") === (claim === "" || value === "")) throw bad("jwt needs subject, or claim and value");
        let ids = this.#jwt.get(issuer);
        if (ids === undefined) {
          ids = { subjects: new Map(), claims: new Map() };
          this.#jwt.set(issuer, ids);
        }
        if (subject !== "") {
          if (ids.subjects.has(subject)) throw bad(`jwt identity ${issuer} / sub ${subject} is taken`);
          ids.subjects.set(subject, entry);
        } else {
          let values = ids.claims.get(claim);
          if (values === undefined) {
            values = new Map();
            ids.claims.set(claim, values);
          }
          if (values.has(value)) throw bad(`jwt identity ${issuer} / ${claim} is taken`);
          values.set(value, entry);
        }
        return;
      }
      case "clientCert": {
        const m = k.value.match;
        if (m.case === undefined || m.value === "") throw bad("client_cert needs one match field");
        const value = m.case === "fingerprintSha256" ? normalizeFingerprint(m.value) : m.value;
        if (value === undefined) throw bad("client_cert.fingerprint_sha256 must be 64 hex digits");
        const key = `${m.case}\u0000${m.case === "sanDns" || m.case === "sanEmail" ? value.toLowerCase() : value}`;
        if (this.#certs.has(key)) throw bad("the same certificate identity belongs to two credentials");
        this.#certs.set(key, entry);
        return;
      }
      default:
        throw bad("credential kind is not set");
    }
  }

  /**
   * The consumer owning the API key whose SHA-256 is `sha256` (32 bytes), or `undefined`.
   * Compared in constant time once found.
   */
  byApiKeyHash(sha256: Buffer): ConsumerEntry | undefined {
    const e = this.#apiKeys.get(sha256.toString("hex"));
    if (e === undefined || !timingSafeEqual(e.sha256, sha256)) return undefined;
    return e.consumer;
  }

  /** The consumer owning API key `key`. */
  byApiKey(key: string): ConsumerEntry | undefined {
    // One-shot crypto.hash (utf8 input): about half the cost of createHash() on every request.
    return this.byApiKeyHash(hash("sha256", key, "buffer"));
  }

  /**
   * The consumer a verified token maps to: issuer `iss`, then `sub`, then each claim named by a
   * credential of that issuer (in credential order).
   */
  byToken(claims: Readonly<Record<string, unknown>>): ConsumerEntry | undefined {
    const iss = claims.iss;
    if (typeof iss !== "string") return undefined;
    const ids = this.#jwt.get(iss);
    if (ids === undefined) return undefined;
    const sub = claims.sub;
    if (typeof sub === "string") {
      const e = ids.subjects.get(sub);
      if (e !== undefined) return e;
    }
    for (const [claim, values] of ids.claims) {
      const v = claims[claim];
      if (typeof v === "string" || typeof v === "number") {
        const e = values.get(String(v));
        if (e !== undefined) return e;
      }
    }
    return undefined;
  }

  /**
   * The consumer a verified client certificate maps to: fingerprint first, then subject DN,
   * then SANs (DNS, URI, email).
   */
  byCertificate(cert: CertificateFacts): ConsumerEntry | undefined {
    const get = (kind: string, v: string) => this.#certs.get(`${kind}\u0000${v}`);
    const direct = get("fingerprintSha256", cert.fingerprintSha256) ?? get("subjectDn", cert.subjectDn);
    if (direct !== undefined) return direct;
    const sans: [string, readonly string[], boolean][] = [
      ["sanDns", cert.sanDns, true],
      ["sanUri", cert.sanUri, false],
      ["sanEmail", cert.sanEmail, true],
    ];
    for (const [kind, values, fold] of sans) {
      for (const v of values) {
        const e = get(kind, fold ? v.toLowerCase() : v);
        if (e !== undefined) return e;
      }
    }
    return undefined;
  }
}

/** `AB:CD:…` or `abcd…` → 64 lower-case hex digits, or `undefined` when it is not a SHA-256. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.replaceAll(":", "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** An index with no consumer (tests, snapshots without consumers). */
export const NO_CONSUMERS: ConsumerIndex = new ConsumerIndex([]);
