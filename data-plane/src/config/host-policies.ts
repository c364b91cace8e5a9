import { createAuthAnyPolicy } from "../policies/auth-any/auth-any-policy.js";
import type { ClientAuthSpec, Policy as PolicyInstance } from "../policies/contract.js";
import { parseHostPattern } from "../router/host.js";

/** A host name's client-certificate requirement. */
export interface HostRequirement {
  /** The policy every request for the name must pass (an any-of when several routes differ). */
  readonly policy: PolicyInstance;
  /** The mTLS policies behind it: a route already running one of them needs nothing more. */
  readonly members: ReadonlySet<PolicyInstance>;
  /** What the HTTPS listener needs to ask for and verify certificates on this name. */
  readonly clientAuth: readonly ClientAuthSpec[];
}

/**
 * Host names that require a client certificate, derived from the routes: a route with hosts
 * and a policy with the `clientCertificate` trait (`mtls`) makes each of its hosts an mTLS name. The requirement belongs to the
 * name, not to the route (as nginx's `ssl_verify_client` per `server` block): a request for an
 * mTLS name that matches another route — one without hosts, say `/api` for every host — still
 * has to pass the name's mTLS policy, so a client certificate cannot be skipped by picking a
 * route (C31's class). Several different mTLS policies on one name are combined as any-of.
 * `mtls` members of an `auth-any` do not make a name mTLS-only (the certificate is optional
 * there). Immutable; lookups are by normalized host (lower case, no port).
 */
export class HostPolicies {
  static readonly EMPTY = new HostPolicies(new Map(), []);
  readonly #exact: ReadonlyMap<string, HostRequirement>;
  /** [".example.com", requirement] for `*.example.com`, longest suffix first. */
  readonly #wildcard: readonly (readonly [string, HostRequirement])[];

  private constructor(exact: ReadonlyMap<string, HostRequirement>, wildcard: (readonly [string, HostRequirement])[]) {
    this.#exact = exact;
    this.#wildcard = wildcard.sort((a, b) => b[0].length - a[0].length);
    Object.freeze(this);
  }

  /**
   * Builds the table from the routes' host patterns and policy chains.
   * @param routes each route's host patterns (as configured) and compiled policies
   */
  static build(routes: Iterable<{ readonly hosts: readonly string[]; readonly policies: readonly PolicyInstance[] }>) {
    const byPattern = new Map<string, PolicyInstance[]>();
    for (const r of routes) {
      const mtls = r.policies.filter((p) => p.traits.clientCertificate !== undefined);
      if (mtls.length === 0) continue;
      for (const h of r.hosts) {
        const pattern = parseHostPattern(h);
        if (pattern === undefined) continue;
        const key = pattern.kind === "exact" ? pattern.host : `*${pattern.suffix}`;
        const list = byPattern.get(key) ?? [];
        for (const p of mtls) if (!list.includes(p)) list.push(p);
        byPattern.set(key, list);
      }
    }
    if (byPattern.size === 0) return HostPolicies.EMPTY;
    const exact = new Map<string, HostRequirement>();
    const wildcard: [string, HostRequirement][] = [];
    for (const [key, list] of byPattern) {
      const req: HostRequirement = Object.freeze({
        policy: list.length === 1 ? list[0]! : createAuthAnyPolicy(`host:${key}`, list),
        members: new Set<PolicyInstance>(list),
        clientAuth: Object.freeze(list.map((p) => p.traits.clientCertificate!)),
      });
      if (key.startsWith("*.")) wildcard.push([key.slice(1), req]);
      else exact.set(key, req);
    }
    return new HostPolicies(exact, wildcard);
  }

  /** Number of mTLS names (exact and wildcard). */
  get size(): number {
    return this.#exact.size + this.#wildcard.length;
  }

  /** The requirement of a normalized host, `undefined` when the name needs no certificate. */
  lookup(host: string): HostRequirement | undefined {
    if (this.size === 0) return undefined;
    const e = this.#exact.get(host);
    if (e !== undefined) return e;
    for (const [suffix, req] of this.#wildcard) if (host.endsWith(suffix)) return req;
    return undefined;
  }

  /**
   * The requirement shared by every one-label name under `parent` (`x.parent` for any label x)
   * that is not an exact mTLS name: what a `*.parent` certificate must ask for. Same precedence as
   * {@link lookup} (longest wildcard suffix first).
   * @param parent lower-case domain, e.g. `example.com` for a `*.example.com` certificate
   */
  lookupUnder(parent: string): HostRequirement | undefined {
    if (this.#wildcard.length === 0) return undefined;
    const dotted = `.${parent}`;
    for (const [suffix, req] of this.#wildcard) if (dotted.endsWith(suffix)) return req;
    return undefined;
  }

  /** The exact (non-wildcard) mTLS names. */
  exactNames(): IterableIterator<string> {
    return this.#exact.keys();
  }

  /** Every mTLS name with what the HTTPS listener needs for it (`*.example.com` for wildcards). */
  names(): ReadonlyMap<string, readonly ClientAuthSpec[]> {
    const out = new Map<string, readonly ClientAuthSpec[]>();
    for (const [h, r] of this.#exact) out.set(h, r.clientAuth);
    for (const [s, r] of this.#wildcard) out.set(`*${s}`, r.clientAuth);
    return out;
  }
}
