import type { PolicyAllow, PolicyDeny, PolicyInstance, PolicyOutcome, PolicyRequest } from "../types.js";
import { PolicyConfigError } from "../types.js";

/** Policy types that may be members of an `auth-any` policy. */
export const AUTH_POLICY_TYPES: ReadonlySet<string> = new Set(["jwt", "api-key", "introspection", "mtls"]);

/** Most members an `auth-any` policy may have. */
export const MAX_MEMBERS = 8;

/**
 * Builds an `auth-any` policy: the request passes when any one member authenticates it
 * (members tried in order; the first that allows wins), as Envoy's `requires_any`. A route
 * that lists several policies requires all of them, so "client certificate AND JWT" is two
 * policies on the route and "JWT OR API key" is one `auth-any`.
 *
 * - Forwarding: the credentials of every member that did not win are removed from the upstream
 *   request (an unverified credential is never forwarded), then the winner's edits apply.
 * - Refusal: a member answering 400 (credential in two places) ends the check at once; else the
 *   first member that found a credential but refused it answers (its code and challenge); when no
 *   member found any credential, 401 `AUTH_CREDENTIALS_MISSING` with every member's challenge
 *   (RFC 7235 §4.1 allows several).
 * @param members the member instances, in order (already compiled)
 * @throws PolicyConfigError when there is no member, too many, a duplicate or a non-auth member
 */
export function createAuthAnyPolicy(id: string, members: readonly PolicyInstance[]): PolicyInstance {
  if (members.length === 0) throw new PolicyConfigError("policy_ids: at least one member is required");
  if (members.length > MAX_MEMBERS) throw new PolicyConfigError(`policy_ids: at most ${MAX_MEMBERS} members`);
  for (const [i, m] of members.entries()) {
    if (!AUTH_POLICY_TYPES.has(m.type) || m.stripCredentials === undefined) {
      throw new PolicyConfigError(`policy_ids[${i}]: a ${m.type} policy is not an authentication method`);
    }
    if (members.indexOf(m) !== i) throw new PolicyConfigError(`policy_ids[${i}]: listed twice`);
  }
  return new AuthAnyPolicyInstance(id, members);
}

class AuthAnyPolicyInstance implements PolicyInstance {
  readonly type = "auth-any";
  readonly id: string;
  readonly identityHeaders: readonly string[];
  #members: readonly PolicyInstance[];
  #missing: PolicyDeny;

  constructor(id: string, members: readonly PolicyInstance[]) {
    this.id = id;
    this.#members = members;
    this.identityHeaders = Object.freeze([...new Set(members.flatMap((m) => m.identityHeaders ?? []))]);
    this.#missing = Object.freeze({
      allow: false,
      code: "AUTH_CREDENTIALS_MISSING",
      reason: "credential_missing",
      responseHeaders: null,
      consumer: null,
    });
  }

  check(req: PolicyRequest): PolicyOutcome | Promise<PolicyOutcome> {
    return this.#from(req, 0, null, null);
  }

  stripCredentials(req: PolicyRequest): PolicyAllow {
    return merge(this.#members.map((m) => m.stripCredentials!(req)));
  }

  #from(
    req: PolicyRequest,
    start: number,
    firstRefusal: PolicyDeny | null,
    challenges: string[] | null,
  ): PolicyOutcome | Promise<PolicyOutcome> {
    for (let i = start; i < this.#members.length; i++) {
      const out = this.#members[i]!.check(req);
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
    if (challenges === null) return this.#missing;
    return { ...this.#missing, responseHeaders: { "www-authenticate": challenges.join(", ") } };
  }

  #step(
    req: PolicyRequest,
    i: number,
    o: PolicyOutcome,
    firstRefusal: PolicyDeny | null,
    challenges: string[] | null,
  ):
    | { done: true; outcome: PolicyOutcome }
    | { done: false; firstRefusal: PolicyDeny | null; challenges: string[] | null } {
    if (o.allow) return { done: true, outcome: this.#won(req, i, o) };
    if (o.code === "AUTH_AMBIGUOUS") return { done: true, outcome: o };
    if (o.reason !== "credential_missing") return { done: false, firstRefusal: firstRefusal ?? o, challenges };
    const c = o.responseHeaders?.["www-authenticate"];
    if (c !== undefined && !(challenges ?? []).includes(c)) challenges = [...(challenges ?? []), c];
    return { done: false, firstRefusal, challenges };
  }

  #won(req: PolicyRequest, winner: number, o: PolicyAllow): PolicyAllow {
    const parts: PolicyAllow[] = [];
    for (const [i, m] of this.#members.entries()) if (i !== winner) parts.push(m.stripCredentials!(req));
    parts.push(o);
    const merged = merge(parts);
    return { ...merged, authMethod: o.authMethod, consumer: o.consumer ?? null };
  }
}

/** Merges edits in order: later header values win, query removals add up. */
function merge(parts: readonly PolicyAllow[]): PolicyAllow {
  const headers: Record<string, string | null> = {};
  const query: string[] = [];
  for (const p of parts) {
    if (p.upstreamHeaders !== null) Object.assign(headers, p.upstreamHeaders);
    for (const q of p.stripQuery ?? []) if (!query.includes(q)) query.push(q);
  }
  return { allow: true, upstreamHeaders: headers, stripQuery: query.length > 0 ? query : null };
}
