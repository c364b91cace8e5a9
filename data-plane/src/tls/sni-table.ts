import type { SecureContext } from "node:tls";

/**
 * What the TLS listener serves for one server name: the certificate's secure context and, for a
 * name that requires a client certificate (an mTLS name, config/host-policies.ts), whether to
 * ask for one — the context then also holds the CA bundle (and CRLs) to verify it with. One SNI
 * lookup decides both.
 */
export interface SniEntry {
  /** Id of the `Certificate` resource this entry comes from (for logs, never secret). */
  readonly certificateId: string;
  /** Certificate chain and private key (and, with `requestCert`, the client CAs), ready for the handshake. */
  readonly context: SecureContext;
  /** Ask the client for a certificate (TLS CertificateRequest) on this name. */
  readonly requestCert: boolean;
}

/**
 * SNI name → entry, the one place the TLS listener resolves a client's server name (RFC 6066
 * §3). Exact names win over wildcards; a wildcard `*.example.com` covers exactly one label
 * (`a.example.com`, not `a.b.example.com` nor `example.com`), as certificate wildcards do
 * (RFC 6125 §6.4.3). Lookups are case-insensitive and ignore a trailing dot. Immutable.
 */
export class SniTable {
  static readonly EMPTY = new SniTable(new Map(), new Map());

  readonly #exact: ReadonlyMap<string, SniEntry>;
  /** Keyed by the parent domain: `*.example.com` → `example.com`. */
  readonly #wildcard: ReadonlyMap<string, SniEntry>;

  /**
   * @param exact lower-case name → entry
   * @param wildcard lower-case parent domain (`example.com` for `*.example.com`) → entry
   */
  constructor(exact: ReadonlyMap<string, SniEntry>, wildcard: ReadonlyMap<string, SniEntry>) {
    this.#exact = exact;
    this.#wildcard = wildcard;
    Object.freeze(this);
  }

  /** Number of names (exact and wildcard) served. */
  get size(): number {
    return this.#exact.size + this.#wildcard.size;
  }

  /**
   * The entry for a client's server name, or `undefined` when no certificate covers it.
   * @param servername the SNI value as the client sent it (any case, maybe a trailing dot)
   */
  resolve(servername: string): SniEntry | undefined {
    let name = servername.toLowerCase();
    if (name.endsWith(".")) name = name.slice(0, -1);
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    return dot > 0 ? this.#wildcard.get(name.slice(dot + 1)) : undefined;
  }
}
