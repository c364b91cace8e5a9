import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";
import type { Certificate } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import { type SniEntry, SniTable } from "./sni-table.js";

// A DNS name of letters, digits and hyphens (RFC 1123 §2.1) in lower case, or "*." and a name of
// at least two labels (no "*.com").
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const SNI_NAME = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\*\\.${LABEL}(?:\\.${LABEL})+)$`);

/**
 * Secure contexts by certificate content, kept across compiles: parsing a key pair costs about a
 * millisecond, so a re-publish that keeps its certificates does not rebuild them. The key is a
 * sha256 of the PEM text (in memory only). {@link retain} drops what the live table no longer uses.
 */
export class SecureContextCache {
  #contexts = new Map<string, SecureContext>();

  /** Contexts held. */
  get size(): number {
    return this.#contexts.size;
  }

  /**
   * The context for a PEM pair, built on first use.
   * @throws the node:tls error when the pair cannot be loaded
   */
  get(key: string, certPem: string, keyPem: string): SecureContext {
    let ctx = this.#contexts.get(key);
    if (ctx === undefined) {
      ctx = createSecureContext({ cert: certPem, key: keyPem });
      this.#contexts.set(key, ctx);
    }
    return ctx;
  }

  /** Keeps only the contexts whose keys are listed (those of the table being swapped in). */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.#contexts.keys()) if (!keys.has(k)) this.#contexts.delete(k);
  }
}

/** The compiled certificates of a snapshot. */
export interface CompiledCertificates {
  readonly sni: SniTable;
  /** Cache keys of the contexts in use, for {@link SecureContextCache.retain}. */
  readonly contextKeys: ReadonlySet<string>;
}

/**
 * Compiles the snapshot's certificates into the SNI table of the HTTPS listener. Checks each
 * certificate: PEM chain and key parse, the key belongs to the leaf, every SNI name is a DNS
 * name or one-label wildcard in lower case, and no name is claimed twice. Messages name the field
 * and never quote key material.
 * @throws CompileError RESOURCE_INVALID naming `certificate/<name>`
 */
export function compileCertificates(certs: readonly Certificate[], cache: SecureContextCache): CompiledCertificates {
  const exact = new Map<string, SniEntry>();
  const wildcard = new Map<string, SniEntry>();
  const ids = new Set<string>();
  const contextKeys = new Set<string>();
  for (const c of certs) {
    const resource = `certificate/${c.name || c.id}`;
    const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, resource);
    if (c.id === "") throw bad("certificate without an id");
    if (ids.has(c.id)) throw bad(`duplicate certificate id "${c.id}"`);
    ids.add(c.id);
    if (c.snis.length === 0) throw bad("snis: at least one server name is required");
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(c.certPem);
    } catch {
      throw bad("cert_pem: not a PEM certificate");
    }
    let privateKey: ReturnType<typeof createPrivateKey>;
    try {
      privateKey = createPrivateKey(c.keyPem);
    } catch {
      throw bad("key_pem: not a PEM private key (or it is encrypted)");
    }
    if (!leaf.checkPrivateKey(privateKey)) throw bad("key_pem: the key does not belong to the certificate");
    const key = createHash("sha256").update(c.certPem).update("\0").update(c.keyPem).digest("hex");
    let context: SecureContext;
    try {
      context = cache.get(key, c.certPem, c.keyPem);
    } catch {
      throw bad("cert_pem/key_pem: the pair cannot be loaded for TLS");
    }
    contextKeys.add(key);
    const entry: SniEntry = Object.freeze({ certificateId: c.id, context });
    for (const [i, name] of c.snis.entries()) {
      if (!SNI_NAME.test(name)) throw bad(`snis[${i}]: "${name}" is not a lower-case DNS name or *.wildcard`);
      const isWildcard = name.startsWith("*.");
      const map = isWildcard ? wildcard : exact;
      const k = isWildcard ? name.slice(2) : name;
      const owner = map.get(k);
      if (owner !== undefined) {
        throw bad(
          owner.certificateId === c.id
            ? `snis[${i}]: "${name}" is listed twice`
            : `snis[${i}]: "${name}" is also served by certificate "${owner.certificateId}"`,
        );
      }
      map.set(k, entry);
    }
  }
  return Object.freeze({ sni: new SniTable(exact, wildcard), contextKeys });
}
