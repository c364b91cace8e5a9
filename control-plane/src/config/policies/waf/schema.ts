/**
 * JSON Schemas (draft-07, fastify's Ajv) of the WAF (issue 14): the `waf` policy config. Rules JSON Schema cannot express (the rule set exists,
 * exclusions name rules that exist, targets are variables the engine knows, the rule set
 * compiles with the policy's settings) are in validate.ts. `additionalProperties: false`
 * everywhere.
 */

const list = (item: object, max = 64) => ({ type: "array", maxItems: max, uniqueItems: true, items: item }) as const;

const bytes = { type: "integer", minimum: 1, maximum: 1_073_741_824, description: "bytes" } as const;

/**
 * A SecLang target an exclusion or a secret names: `VARIABLE`, `VARIABLE:key` or
 * `VARIABLE:/regex/` (CRS "false positives and tuning"), e.g. `ARGS:password`.
 */
export const wafTarget = {
  type: "string",
  minLength: 1,
  maxLength: 256,
  pattern: "^[A-Z][A-Z_]*(?::(?:/(?:[^/\\\\]|\\\\.)+/|[^|\"'\\s/][^|\"'\\s]*))?$",
  description: "a SecLang variable, optionally with :key or :/regex/ (ARGS:password)",
} as const;

const paranoia = { type: "integer", minimum: 1, maximum: 4 } as const;
const threshold = { type: "integer", minimum: 1, maximum: 10_000 } as const;

/** Config of a `waf` policy (control-plane/README.md, "WAF"). */
export const wafConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    rule_set: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "rule set id or name; default: the rule set bundled with the control plane",
    },
    mode: { type: "string", enum: ["block", "detect"] },
    paranoia_level: paranoia,
    detection_paranoia_level: paranoia,
    inbound_anomaly_threshold: threshold,
    outbound_anomaly_threshold: threshold,
    crs_setup: {
      type: "object",
      additionalProperties: false,
      properties: {
        allowed_methods: list({ type: "string", pattern: "^[!#$%&'*+.^_`|~0-9A-Z-]{1,32}$" }),
        allowed_request_content_types: list(
          { type: "string", pattern: "^[a-z0-9!#$&^_.+-]{1,64}/[a-z0-9!#$&^_.+-]{1,128}$" },
          128,
        ),
        allowed_http_versions: list({
          type: "string",
          enum: ["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0", "HTTP/3", "HTTP/3.0"],
        }),
        restricted_extensions: list({ type: "string", pattern: "^\\.[A-Za-z0-9_-]{1,32}$" }, 512),
        restricted_headers: list({ type: "string", pattern: "^[a-z0-9!#$%&*+.^_`|~-]{1,128}$" }, 128),
        max_num_args: { type: "integer", minimum: 1, maximum: 100_000 },
        arg_name_length: { type: "integer", minimum: 1, maximum: 1_048_576 },
        arg_length: { type: "integer", minimum: 1, maximum: 1_073_741_824 },
        total_arg_length: bytes,
        max_file_size: bytes,
        combined_file_sizes: bytes,
      },
    },
    exclusions: {
      type: "array",
      maxItems: 500,
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          rule_ids: list(
            {
              type: "string",
              pattern: "^(?:[0-9]{1,7}(?:-[0-9]{1,7})?|[0-9]{1,5}\\*)$",
              description: "a rule id (942100), a range (942100-942199) or a family (942*)",
            },
            256,
          ),
          tags: list({ type: "string", pattern: "^[A-Za-z0-9_./-]{1,128}$" }),
          target: wafTarget,
          routes: list({ type: "string", minLength: 1, maxLength: 64, description: "route id or name" }, 256),
        },
      },
    },
    request_body_limit_bytes: bytes,
    request_body_limit_action: { type: "string", enum: ["reject", "inspect_partial"] },
    response_inspection: { type: "boolean" },
    response_body_limit_bytes: bytes,
    sample_percent: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 100,
      multipleOf: 0.01,
      description: "share of requests inspected, percent (two decimals); default 100",
    },
    error_action: { type: "string", enum: ["fail_closed", "fail_open"] },
    secret_fields: list(wafTarget),
  },
} as const;
