import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";
import type { Certificate } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import type { ClientAuthSpec } from "../policies/contract.js";
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
   * @param clientCa for an mTLS name: the PEM CA certificates (and CRLs) client certificates are
   *   verified against
   * @throws the node:tls error when the pair (or a CA, a CRL) cannot be loaded
   */
  get(
    key: string,
    certPem: string,
    keyPem: string,
    clientCa?: { readonly ca: readonly string[]; readonly crl: readonly string[] },
  ): SecureContext {
    let ctx = this.#contexts.get(key);
    if (ctx === undefined) {
      ctx = createSecureContext({
        cert: certPem,
        key: keyPem,
        ...(clientCa !== undefined ? { ca: [...clientCa.ca] } : {}),
        ...(clientCa !== undefined && clientCa.crl.length > 0 ? { crl: [...clientCa.crl] } : {}),
      });
      this.#contexts.set(key, ctx);
    }
    return ctx;
  }

  /** Keeps only the contexts whose keys are listed (those of the table being swapped in). */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.#contexts.keys()) if (!keys.has(k)) this.#contexts.delete(k);
  }
}

/**
 * OpenSSL's reason for refusing a pair, e.g. ` (ee key too small)` when this node's OpenSSL
 * security level (a hardened host's `CipherString = DEFAULT@SECLEVEL=3`, a FIPS provider) refuses
 * a key the control plane and other nodes accept. Only the reason phrase of OpenSSL's
 * `error:0A00018F:SSL routines::ee key too small` is kept (lower-case words): it names a rule,
 * never key material. `""` when there is none.
 */
function opensslReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : "";
  const m = /^error:[0-9A-F]+:[^:]*:[^:]*:([a-z0-9 ]{3,80})$/.exec(msg);
  return m === null ? "" : ` (${m[1]})`;
}

/** A name's client-certificate requirement, as far as the handshake is concerned. */
export interface ClientAuthRequirement {
  /** The CAs (and CRLs) of the mTLS policies that guard the name. */
  readonly clientAuth: readonly ClientAuthSpec[];
}

/**
 * Which server names require a client certificate (config/host-policies.ts). Host patterns
 * follow the router: `*.example.com` covers any depth below example.com.
 */
export interface ClientAuthNames {
  /** The requirement of a lower-case name, `undefined` when it needs no certificate. */
  lookup(host: string): ClientAuthRequirement | undefined;
  /** The requirement of every one-label name under `parent` that is not an exact mTLS name. */
  lookupUnder(parent: string): ClientAuthRequirement | undefined;
  /** The exact mTLS names. */
  exactNames(): Iterable<string>;
}

const NO_CLIENT_AUTH: ClientAuthNames = {
  lookup: () => undefined,
  lookupUnder: () => undefined,
  exactNames: () => [],
};

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
 *
 * Names that require a client certificate (`mtls`, see {@link ClientAuthNames}) get an entry
 * that asks for one, with a context that also holds the CAs and CRLs of the name's mTLS
 * policies: an exact certificate name that is an mTLS name, a wildcard certificate whose every
 * name is one, and an exact mTLS name that only a wildcard certificate serves (it gets its own
 * entry, so its own CAs). Every other name is served without asking.
 * @param clientAuth mTLS names of the table (default: none)
 * @throws CompileError RESOURCE_INVALID naming `certificate/<name>`
 */
export function compileCertificates(
  certs: readonly Certificate[],
  cache: SecureContextCache,
  clientAuth: ClientAuthNames = NO_CLIENT_AUTH,
): CompiledCertificates {
  const exact = new Map<string, SniEntry>();
  const wildcard = new Map<string, SniEntry>();
  const ids = new Set<string>();
  const contextKeys = new Set<string>();
  const pems = new Map<string, { resource: string; certPem: string; keyPem: string; key: string }>();
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
    } catch (err) {
      throw bad(`cert_pem/key_pem: the pair cannot be loaded for TLS${opensslReason(err)}`);
    }
    contextKeys.add(key);
    pems.set(c.id, { resource, certPem: c.certPem, keyPem: c.keyPem, key });
    const entry: SniEntry = Object.freeze({ certificateId: c.id, context, requestCert: false });
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

  // mTLS names: the same certificate, plus the CAs to verify client certificates with.
  const withClientAuth = (e: SniEntry, req: ClientAuthRequirement): SniEntry => {
    const p = pems.get(e.certificateId)!;
    const ca = req.clientAuth.map((s) => s.caPem);
    const crl = req.clientAuth.map((s) => s.crlPem).filter((x) => x !== "");
    const key = createHash("sha256")
      .update(p.key)
      .update(`\0${ca.join("\0")}\0\0${crl.join("\0")}`)
      .digest("hex");
    let context: SecureContext;
    try {
      context = cache.get(key, p.certPem, p.keyPem, { ca, crl });
    } catch {
      throw new CompileError(
        "RESOURCE_INVALID",
        "the client CA bundle or CRL of an mTLS name cannot be loaded",
        p.resource,
      );
    }
    contextKeys.add(key);
    return Object.freeze({ certificateId: e.certificateId, context, requestCert: true });
  };
  for (const [name, e] of exact) {
    const req = clientAuth.lookup(name);
    if (req !== undefined) exact.set(name, withClientAuth(e, req));
  }
  for (const name of clientAuth.exactNames()) {
    if (exact.has(name)) continue;
    const dot = name.indexOf(".");
    const e = dot > 0 ? wildcard.get(name.slice(dot + 1)) : undefined;
    if (e !== undefined) exact.set(name, withClientAuth(e, clientAuth.lookup(name)!));
  }
  for (const [parent, e] of wildcard) {
    const req = clientAuth.lookupUnder(parent);
    if (req !== undefined) wildcard.set(parent, withClientAuth(e, req));
  }
  return Object.freeze({ sni: new SniTable(exact, wildcard), contextKeys });
}
