import { X509Certificate } from "node:crypto";
import { createSecureContext, type DetailedPeerCertificate, type TLSSocket } from "node:tls";
import type { MtlsPolicy } from "@palisade/proto";
import type { SecurityReason } from "../../events/security-events.js";
import { checkIdentityHeader, dropsUnsafeIdentity, identityHeaderValue } from "../auth/claims.js";
import type { ConsumerIndex } from "../auth/consumers.js";
import { deny, identityUnsafe } from "../auth/deny.js";
import {
  type Authentication,
  type Authenticator,
  authenticationHook,
  type ClientAuthSpec,
  type CredentialEdits,
  type Policy,
  type PolicyExchange,
  type PolicyRequest,
  type PolicyTraits,
  type Refusal,
  type Verdict,
} from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";
import { certificateFacts, sanHeaderValue } from "./certificate-facts.js";
import { clientVerification } from "./session-verification.js";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const DENIED = new Map<SecurityReason, Refusal>();

function refused(reason: SecurityReason): Refusal {
  let d = DENIED.get(reason);
  if (d === undefined) {
    d =
      reason === "sni_mismatch" ? deny("MISDIRECTED_REQUEST", reason, null) : deny("AUTH_CERT_REQUIRED", reason, null);
    DENIED.set(reason, d);
  }
  return d;
}

/** OpenSSL verification errors (node's `authorizationError`) → reason. */
function reasonOf(error: string | Error | undefined): SecurityReason {
  const code = typeof error === "string" ? error : ((error as { code?: string } | undefined)?.code ?? "");
  if (code === "CERT_HAS_EXPIRED") return "cert_expired";
  if (code === "CERT_REVOKED") return "cert_revoked";
  if (
    code.startsWith("UNABLE_TO_GET_ISSUER_CERT") ||
    code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
    code === "SELF_SIGNED_CERT_IN_CHAIN" ||
    code === "DEPTH_ZERO_SELF_SIGNED_CERT" ||
    code === "CERT_UNTRUSTED" ||
    code === "CERT_SIGNATURE_FAILURE"
  ) {
    return "cert_untrusted";
  }
  return "cert_invalid";
}

/**
 * Builds an mTLS policy (TLS client authentication, RFC 8446 §4.3.2 / RFC 5246 §7.4.4). The HTTPS
 * listener asks for a client certificate on the server names of the routes using the policy and
 * lets OpenSSL verify the chain against `ca_pem` (and `crl_pem`): validity dates, signatures,
 * `clientAuth` purpose (extended key usage), revocation. The policy then refuses, per request:
 * - a connection that is not TLS or carries no certificate → 403 `AUTH_CERT_REQUIRED`;
 * - a `Host` that differs from the TLS server name (or no SNI at all) → 421
 *   `MISDIRECTED_REQUEST` (RFC 9110 §15.5.20): a handshake for one name never reaches another
 *   name's routes, on any request of a keep-alive connection (C31);
 * - a certificate OpenSSL did not verify, one that expired since the handshake, one whose chain
 *   does not reach this policy's own CAs (another policy's CA on the same name), a subject not in
 *   `allowed_subjects` → 403; a disabled consumer, or none with `require_consumer` → 403.
 * Allowed requests carry the certificate facts in the named headers (always overwriting what the
 * client sent) and resolve the consumer by fingerprint, subject DN or SAN; a subject or SAN list
 * that no header value carries unchanged (a control character, a SAN node had to quote) is
 * refused with 403 `AUTH_CERT_IDENTITY_UNSAFE` naming `subject` or `san`, or its header dropped
 * with `unsafe_identity: drop_header`. Outcomes are cached
 * per connection (a certificate cannot change within one). A resumed TLS session is judged by the
 * verdict OpenSSL stored in it at its full handshake (session-verification.ts).
 * @throws PolicyConfigError when the CA bundle, CRL, subjects or header names are invalid
 */
export function createMtlsPolicy(config: MtlsPolicy, ctx: PolicyContext): Policy {
  const cas = (config.caPem.match(PEM_CERT) ?? []).map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new PolicyConfigError(`ca_pem: certificate ${i} does not parse`);
    }
  });
  if (cas.length === 0) throw new PolicyConfigError("ca_pem: no PEM certificate");
  if (cas.some((c) => !c.ca)) throw new PolicyConfigError("ca_pem: a certificate is not a CA (basicConstraints)");
  try {
    createSecureContext({ ca: config.caPem, ...(config.crlPem !== "" ? { crl: config.crlPem } : {}) });
  } catch {
    throw new PolicyConfigError(config.crlPem !== "" ? "crl_pem: not a PEM CRL" : "ca_pem: not usable as a CA bundle");
  }
  for (const s of config.allowedSubjects) if (s === "") throw new PolicyConfigError("allowed_subjects: empty value");
  const header = (field: string, v: string) => (v === "" ? null : checkIdentityHeader(field, v));
  return new Mtls(
    ctx.id,
    { caPem: config.caPem, crlPem: config.crlPem },
    cas,
    new Set(config.allowedSubjects),
    {
      subject: header("subject_header", config.subjectHeader),
      san: header("san_header", config.sanHeader),
      fingerprint: header("fingerprint_header", config.fingerprintHeader),
    },
    config.requireConsumer,
    ctx.consumers,
    dropsUnsafeIdentity(config.unsafeIdentity),
  );
}

interface FactHeaders {
  readonly subject: string | null;
  readonly san: string | null;
  readonly fingerprint: string | null;
}

class Mtls implements Policy, Authenticator {
  readonly type = "mtls";
  readonly id: string;
  readonly traits: PolicyTraits;
  readonly requestHeaders: (ex: PolicyExchange) => Verdict | Promise<Verdict>;
  #anchors: readonly X509Certificate[];
  #allowed: ReadonlySet<string>;
  #headers: FactHeaders;
  #requireConsumer: boolean;
  #consumers: ConsumerIndex;
  #dropUnsafe: boolean;
  #strip: CredentialEdits;
  /** Outcome per connection, with the SNI it was decided for (Host is checked on each request). */
  #byConnection = new WeakMap<object, { outcome: Authentication | Refusal; notAfter: number }>();

  constructor(
    id: string,
    clientAuth: ClientAuthSpec,
    anchors: readonly X509Certificate[],
    allowed: ReadonlySet<string>,
    headers: FactHeaders,
    requireConsumer: boolean,
    consumers: ConsumerIndex,
    dropUnsafe: boolean,
  ) {
    this.#dropUnsafe = dropUnsafe;
    this.id = id;
    this.#anchors = anchors;
    this.#allowed = allowed;
    this.#headers = headers;
    this.#requireConsumer = requireConsumer;
    this.#consumers = consumers;
    const identityHeaders = Object.freeze(
      [headers.subject, headers.san, headers.fingerprint].filter((h): h is string => h !== null),
    );
    this.traits = Object.freeze({ authenticates: this, identityHeaders, clientCertificate: clientAuth });
    this.requestHeaders = authenticationHook(this);
    this.#strip = Object.freeze({
      upstreamHeaders: Object.freeze(Object.fromEntries(identityHeaders.map((h) => [h, null]))),
      stripQuery: null,
    });
  }

  authenticate(req: PolicyRequest): Authentication | Refusal {
    const socket = req.socket;
    if (socket === undefined || socket.encrypted !== true) return refused("cert_missing");
    const tls = socket as TLSSocket;
    // RFC 9110 §15.5.20 / RFC 6066 §3: the request's one authority (Host, an absolute-form
    // target's, HTTP/2 `:authority`: the canonical view's) must be the name the handshake was for.
    const sni = typeof tls.servername === "string" ? tls.servername.toLowerCase().replace(/\.$/, "") : "";
    if (sni === "" || req.view.host !== sni) return refused("sni_mismatch");
    const now = Date.now();
    const known = this.#byConnection.get(tls);
    if (known !== undefined && now < known.notAfter) return known.outcome;
    const decided = this.#decide(tls, now);
    this.#byConnection.set(tls, decided);
    return decided.outcome;
  }

  withoutCredentials(): CredentialEdits {
    return this.#strip;
  }

  #decide(tls: TLSSocket, now: number): { outcome: Authentication | Refusal; notAfter: number } {
    const never = (outcome: Authentication | Refusal) => ({ outcome, notAfter: Number.POSITIVE_INFINITY });
    const cert = tls.getPeerCertificate(true) as DetailedPeerCertificate;
    if (cert === null || cert.raw === undefined) return never(refused("cert_missing"));
    const verified = clientVerification(tls);
    if (!verified.authorized) return never(refused(reasonOf(verified.error)));
    const notAfter = Date.parse(cert.valid_to);
    if (!(notAfter > now)) return never(refused("cert_expired"));
    if (!this.#chainReachesAnchor(cert)) return never(refused("cert_untrusted"));
    const facts = certificateFacts(cert);
    if (this.#allowed.size > 0 && !this.#allowed.has(facts.subjectDn)) return never(refused("cert_not_allowed"));
    const found = this.#consumers.byCertificate(facts);
    if (found?.disabled) return never(deny("AUTH_CERT_REQUIRED", "consumer_disabled", null, found.ref));
    if (found === undefined && this.#requireConsumer) return never(refused("consumer_unknown"));
    const h = this.#headers;
    const edits: Record<string, string | null> = {};
    // A subject or SAN list no header value carries unchanged (a CR/LF in a CN, a SAN node had
    // to quote): refused (403), or the header dropped with `unsafe_identity: drop_header`.
    if (h.subject !== null) {
      const v = identityHeaderValue(facts.subjectDn);
      if (v !== undefined) edits[h.subject] = v;
      else if (this.#dropUnsafe) edits[h.subject] = null;
      else return never(identityUnsafe("subject", null, found?.ref ?? null));
    }
    if (h.san !== null) {
      const v = facts.sanDropped ? undefined : identityHeaderValue(sanHeaderValue(facts));
      if (v !== undefined) edits[h.san] = v || null;
      else if (this.#dropUnsafe) edits[h.san] = null;
      else return never(identityUnsafe("san", null, found?.ref ?? null));
    }
    if (h.fingerprint !== null) edits[h.fingerprint] = facts.fingerprintSha256;
    const outcome: Authentication = Object.freeze({
      kind: "authentication",
      upstreamHeaders: Object.freeze(edits),
      stripQuery: null,
      authMethod: "mtls",
      consumer: found?.ref ?? null,
    });
    return { outcome, notAfter };
  }

  /**
   * Whether the certificate chains to one of this policy's own CAs. OpenSSL verified the chain
   * against every CA configured for the server name (several policies may share a name); this
   * makes sure it is this policy's: the leaf, or an intermediate the client sent, is issued and
   * signed by one of `ca_pem`'s certificates. Once per connection.
   */
  #chainReachesAnchor(cert: DetailedPeerCertificate): boolean {
    let c: DetailedPeerCertificate | undefined = cert;
    for (let depth = 0; c?.raw !== undefined && depth < 10; depth++) {
      let x: X509Certificate;
      try {
        x = new X509Certificate(c.raw);
      } catch {
        return false;
      }
      for (const anchor of this.#anchors) {
        if (x.fingerprint256 === anchor.fingerprint256) return true;
        if (x.checkIssued(anchor) && x.verify(anchor.publicKey)) return true;
      }
      const next: DetailedPeerCertificate | undefined = c.issuerCertificate;
      if (next === c || next === undefined) break;
      c = next;
    }
    return false;
  }
}
