import { name } from "../schema-fields.js";

/** Body of `POST /v1/consumers` and `PUT /v1/consumers/{id}`. */
export const consumerSchema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name,
    disabled: { type: "boolean", description: "a disabled consumer's credentials are refused" },
    tags: {
      type: "array",
      maxItems: 32,
      uniqueItems: true,
      items: { type: "string", pattern: "^[A-Za-z0-9._:/-]{1,64}$" },
      description: "free-form tags for operators (Kong-style); not sent to nodes",
    },
    labels: {
      type: "object",
      maxProperties: 32,
      propertyNames: { pattern: "^[A-Za-z0-9._/-]{1,63}$" },
      additionalProperties: { type: "string", maxLength: 256 },
    },
  },
} as const;

const credentialSchemas = {
  "api-key": { type: "object", additionalProperties: false, properties: { type: {} } },
  jwt: {
    type: "object",
    required: ["issuer"],
    additionalProperties: false,
    properties: {
      type: {},
      issuer: { type: "string", minLength: 1, maxLength: 2048 },
      subject: { type: "string", minLength: 1, maxLength: 1024 },
      claim: { type: "string", minLength: 1, maxLength: 256 },
      value: { type: "string", minLength: 1, maxLength: 1024 },
    },
    oneOf: [{ required: ["subject"] }, { required: ["claim", "value"] }],
  },
  "client-cert": {
    type: "object",
    additionalProperties: false,
    properties: {
      type: {},
      subject_dn: { type: "string", minLength: 1, maxLength: 2048 },
      san_dns: { type: "string", minLength: 1, maxLength: 253 },
      san_uri: { type: "string", minLength: 1, maxLength: 2048 },
      san_email: { type: "string", minLength: 1, maxLength: 320 },
      fingerprint_sha256: { type: "string", pattern: "^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$" },
    },
    oneOf: [
      { required: ["subject_dn"] },
      { required: ["san_dns"] },
      { required: ["san_uri"] },
      { required: ["san_email"] },
      { required: ["fingerprint_sha256"] },
    ],
  },
} as const;

/** Credential types a consumer can hold. */
export type CredentialType = keyof typeof credentialSchemas;

/**
 * Body of `POST /v1/consumers/{id}/credentials`: `{"type":"api-key"}` (the key is generated),
 * `{"type":"jwt","issuer","subject"}` or `{"type":"jwt","issuer","claim","value"}`,
 * `{"type":"client-cert"}` with exactly one of `subject_dn`, `san_dns`, `san_uri`, `san_email`,
 * `fingerprint_sha256`.
 */
export const credentialSchema = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", enum: Object.keys(credentialSchemas) } },
  allOf: Object.entries(credentialSchemas).map(([type, schema]) => ({
    if: { properties: { type: { const: type } }, required: ["type"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: schema,
  })),
} as const;
