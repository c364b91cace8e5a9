import { createHash, randomBytes } from "node:crypto";
import type { StoredCredential } from "../../store/store.js";
import type { CredentialType } from "./schema.js";

/**
 * Consumer credentials: what is stored for each type, its canonical identity (unique across all
 * consumers), and how it is shown. API keys are generated here from 256 random bits and stored
 * only as their SHA-256: with that much entropy a plain hash cannot be reversed by guessing, and
 * nodes can resolve a presented key by hashing it, without any secret of the control plane.
 */

/** Prefix of every generated API key (makes leaked keys easy to spot by secret scanners). */
export const API_KEY_PREFIX = "pk_";
/** Characters of a key shown in listings (the prefix plus a few), enough to tell keys apart. */
export const SHOWN_KEY_CHARS = 10;

/** A freshly generated API key: `key` is shown once and never stored. */
export interface NewApiKey {
  /** `pk_` + 43 base64url characters (32 random bytes). */
  readonly key: string;
  /** SHA-256 of the key's UTF-8 bytes, lower-case hex. */
  readonly sha256: string;
  /** The first characters of the key, for display. */
  readonly prefix: string;
}

/** Generates an API key from 256 bits of the OS CSPRNG. */
export function newApiKey(): NewApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, sha256: createHash("sha256").update(key, "utf8").digest("hex"), prefix: key.slice(0, SHOWN_KEY_CHARS) };
}

/** What is stored for a new credential, plus the key to show once (API keys only). */
export interface PreparedCredential {
  readonly type: CredentialType;
  readonly body: Record<string, unknown>;
  /** Canonical identity: equal identities cannot belong to two credentials. */
  readonly identity: string;
  readonly key?: string;
}

/** `AB:CD:…` or `abcd…` → 64 lower-case hex digits (the schema already checked the shape). */
export function normalizeFingerprint(text: string): string {
  return text.replaceAll(":", "").toLowerCase();
}

const CERT_FIELDS = ["subject_dn", "san_dns", "san_uri", "san_email", "fingerprint_sha256"] as const;

/**
 * Turns a schema-valid `POST /v1/consumers/{id}/credentials` body into what is stored.
 * DNS names and e-mail addresses compare case-insensitively; fingerprints are normalized.
 */
export function prepareCredential(body: Record<string, unknown>): PreparedCredential {
  const type = body.type as CredentialType;
  if (type === "api-key") {
    const k = newApiKey();
    return { type, body: { sha256: k.sha256, key_prefix: k.prefix }, identity: `api-key:${k.sha256}`, key: k.key };
  }
  if (type === "jwt") {
    const stored =
      body.subject !== undefined
        ? { issuer: body.issuer, subject: body.subject }
        : { issuer: body.issuer, claim: body.claim, value: body.value };
    return {
      type,
      body: stored,
      identity: `jwt:${JSON.stringify([body.issuer, body.subject ?? "", body.claim ?? "", body.value ?? ""])}`,
    };
  }
  const field = CERT_FIELDS.find((f) => body[f] !== undefined)!;
  let value = body[field] as string;
  if (field === "fingerprint_sha256") value = normalizeFingerprint(value);
  if (field === "san_dns" || field === "san_email") value = value.toLowerCase();
  return { type, body: { [field]: value }, identity: `client-cert:${field}:${value}` };
}

/** The API representation: never the key, never its hash. */
export function presentCredential(c: StoredCredential): Record<string, unknown> {
  const { sha256: _hash, ...shown } = c.body;
  return { id: c.id, consumer_id: c.consumer_id, type: c.type, ...shown, created_at: c.created_at };
}
