import {
  type Authentication,
  type Authenticator,
  authenticationHook,
  type CredentialEdits,
  type HeaderEdits,
  type Policy,
  type PolicyExchange,
  type PolicyRequest,
  type PolicyTraits,
  type Refusal,
  refusal,
  type Verdict,
} from "../contract.js";
import { PolicyConfigError } from "../factory.js";

/** Most members an `auth-any` policy may have. */
export const MAX_MEMBERS = 8;

/**
 * Builds an `auth-any` policy: the request passes when any one member authenticates it
 * (members tried in order; the first that allows wins), as Envoy's `requires_any`. A route
 * that lists several policies requires all of them, so "client certificate AND JWT" is two
 * policies on the route and "JWT OR API key" is one `auth-any`.
 *
 * - Members: policies that declare the `authenticates` trait (contract.ts); compile refuses a
 *   member that is itself a combination.
 * - Forwarding: the credentials of every member that did not win are removed from the upstream
 *   request (an unverified credential is never forwarded), then the winner's edits apply.
 * - Refusal: a member answering 400 (credential in two places) ends the check at once; else the
 *   first member that found a credential but refused it answers (its code and challenge); when no
 *   member found any credential, 401 `AUTH_CREDENTIALS_MISSING` with every member's challenge
 *   (RFC 7235 §4.1 allows several).
 * @param members the member instances, in order (already compiled)
 * @throws PolicyConfigError when there is no member, too many, a duplicate or a non-auth member
 */
export function createAuthAnyPolicy(id: string, members: readonly Policy[]): Policy {
  if (members.length === 0) throw new PolicyConfigError("policy_ids: at least one member is required");
  if (members.length > MAX_MEMBERS) throw new PolicyConfigError(`policy_ids: at most ${MAX_MEMBERS} members`);
  const auths: Authenticator[] = [];
  for (const [i, m] of members.entries()) {
    const auth = m.traits.authenticates;
    if (auth === undefined) {
      throw new PolicyConfigError(`policy_ids[${i}]: a ${m.type} policy is not an authentication method`);
    }
    if (members.indexOf(m) !== i) throw new PolicyConfigError(`policy_ids[${i}]: listed twice`);
    auths.push(auth);
  }
  return new AuthAnyPolicy(id, members, auths);
}

const MISSING = refusal("AUTH_CREDENTIALS_MISSING", "credential_missing");

class AuthAnyPolicy implements Policy, Authenticator {
  readonly type = "auth-any";
  readonly id: string;
  readonly traits: PolicyTraits;
  readonly requestHeaders: (ex: PolicyExchange) => Verdict | Promise<Verdict>;
  #members: readonly Authenticator[];

  constructor(id: string, members: readonly Policy[], auths: readonly Authenticator[]) {
    this.id = id;
    this.#members = auths;
    const identityHeaders = Object.freeze([...new Set(members.flatMap((m) => m.traits.identityHeaders ?? []))]);
    // An mtls member makes the certificate optional here: no `clientCertificate` trait, so no
    // host becomes an mTLS name by it.
    this.traits = Object.freeze({ authenticates: this, identityHeaders });
    this.requestHeaders = authenticationHook(this);
  }

  authenticate(req: PolicyRequest): Authentication | Refusal | Promise<Authentication | Refusal> {
    return this.#from(req, 0, null, null);
  }

  withoutCredentials(req: PolicyRequest): CredentialEdits {
    return merge(this.#members.map((m) => m.withoutCredentials(req)));
  }

  #from(
    req: PolicyRequest,
    start: number,
    firstRefusal: Refusal | null,
    challenges: string[] | null,
  ): Authentication | Refusal | Promise<Authentication | Refusal> {
    for (let i = start; i < this.#members.length; i++) {
      const out = this.#members[i]!.authenticate(req);
      if (out instanceof Promise) {
        return out.then((o) => {
          const r = this.#step(req, i, o, firstRefusal, challenges);
          return r.done ? r.outcome : this.#from(req, i + 1, r.firstRefusal, r.challenges);
        });
      }
      const r = this.#step(req, i, out, firstRefusal, challenges);
      if (r.done) return r.outcome;
      firstRefusal = r.firstRefusal;
      challenges = r.challenges;
    }
    if (firstRefusal !== null) return firstRefusal;
    if (challenges === null) return MISSING;
    return refusal("AUTH_CREDENTIALS_MISSING", "credential_missing", { "www-authenticate": challenges.join(", ") });
  }

  #step(
    req: PolicyRequest,
    i: number,
    o: Authentication | Refusal,
    firstRefusal: Refusal | null,
    challenges: string[] | null,
  ):
    | { done: true; outcome: Authentication | Refusal }
    | { done: false; firstRefusal: Refusal | null; challenges: string[] | null } {
    if (o.kind === "authentication") return { done: true, outcome: this.#won(req, i, o) };
    if (o.code === "AUTH_AMBIGUOUS") return { done: true, outcome: o };
    if (o.reason !== "credential_missing") return { done: false, firstRefusal: firstRefusal ?? o, challenges };
    const c = o.headers?.["www-authenticate"];
    if (c !== undefined && !(challenges ?? []).includes(c)) challenges = [...(challenges ?? []), c];
    return { done: false, firstRefusal, challenges };
  }

  #won(req: PolicyRequest, winner: number, o: Authentication): Authentication {
    const parts: CredentialEdits[] = [];
    for (const [i, m] of this.#members.entries()) if (i !== winner) parts.push(m.withoutCredentials(req));
    parts.push(o);
    return { kind: "authentication", ...merge(parts), authMethod: o.authMethod, consumer: o.consumer };
  }
}

/** Merges edits in order: later header values win, query removals add up. */
function merge(parts: readonly CredentialEdits[]): CredentialEdits {
  const headers: Record<string, string | null> = {};
  const query: string[] = [];
  for (const p of parts) {
    if (p.upstreamHeaders !== null) Object.assign(headers, p.upstreamHeaders as HeaderEdits);
    for (const q of p.stripQuery ?? []) if (!query.includes(q)) query.push(q);
  }
  return { upstreamHeaders: headers, stripQuery: query.length > 0 ? query : null };
}
