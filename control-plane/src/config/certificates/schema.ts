import { name } from "../schema-fields.js";

/** Body of `POST /v1/certificates` and `PUT /v1/certificates/{id}`. `key_pem` is a secret. */
export const certificateSchema = {
  type: "object",
  required: ["name", "snis", "cert_pem", "key_pem"],
  additionalProperties: false,
  properties: {
    name,
    snis: {
      type: "array",
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: "lower-case DNS names or one-label wildcards (*.example.com) this certificate answers",
      items: { type: "string", minLength: 1, maxLength: 253, pattern: "^(?:\\*\\.)?[a-z0-9.-]+$" },
    },
    cert_pem: {
      type: "string",
      maxLength: 65536,
      pattern: "-----BEGIN CERTIFICATE-----",
      description: "PEM chain: the leaf first, then intermediates",
    },
    key_pem: {
      type: "string",
      maxLength: 16384,
      pattern: "-----BEGIN [A-Z ]*PRIVATE KEY-----",
      description: "PEM private key of the leaf, unencrypted (never returned)",
    },
  },
} as const;
