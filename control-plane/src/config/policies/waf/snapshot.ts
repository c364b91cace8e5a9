import { create } from "@bufbuild/protobuf";
import { WafBodyLimitAction, WafErrorAction, WafMode, type WafPolicy, WafPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";
import type { WafConfigBody } from "./validate.js";

/**
 * The proto `WafPolicy` of a stored `waf` config (issue 14). Absent fields stay the proto's zero
 * value, which nodes read as the default (paranoia level 1, block, reject past the body limit,
 * every request inspected, fail closed): a default can improve without a republish, and a config
 * that sets nothing hashes the same on every control plane. `sample_percent` travels in basis
 * points.
 */
export function toWafPolicy(c: WafConfigBody): WafPolicy {
  const s = c.crs_setup ?? {};
  return create(WafPolicySchema, {
    ruleSetId: c.rule_set ?? "",
    mode: c.mode === "detect" ? WafMode.DETECT : c.mode === "block" ? WafMode.BLOCK : WafMode.UNSPECIFIED,
    paranoiaLevel: c.paranoia_level ?? 0,
    detectionParanoiaLevel: c.detection_paranoia_level ?? 0,
    inboundAnomalyThreshold: c.inbound_anomaly_threshold ?? 0,
    outboundAnomalyThreshold: c.outbound_anomaly_threshold ?? 0,
    ...(c.crs_setup
      ? {
          crsSetup: {
            allowedMethods: [...(s.allowed_methods ?? [])],
            allowedRequestContentTypes: [...(s.allowed_request_content_types ?? [])],
            allowedHttpVersions: [...(s.allowed_http_versions ?? [])],
            restrictedExtensions: [...(s.restricted_extensions ?? [])],
            restrictedHeaders: [...(s.restricted_headers ?? [])],
            maxNumArgs: s.max_num_args ?? 0,
            argNameLength: s.arg_name_length ?? 0,
            argLength: s.arg_length ?? 0,
            totalArgLength: BigInt(s.total_arg_length ?? 0),
            maxFileSize: BigInt(s.max_file_size ?? 0),
            combinedFileSizes: BigInt(s.combined_file_sizes ?? 0),
          },
        }
      : {}),
    exclusions: (c.exclusions ?? []).map((e) => ({
      ruleIds: [...(e.rule_ids ?? [])],
      tags: [...(e.tags ?? [])],
      target: e.target ?? "",
      routeIds: [...(e.routes ?? [])],
    })),
    requestBodyLimitBytes: BigInt(c.request_body_limit_bytes ?? 0),
    requestBodyLimitAction:
      c.request_body_limit_action === "inspect_partial"
        ? WafBodyLimitAction.INSPECT_PARTIAL
        : c.request_body_limit_action === "reject"
          ? WafBodyLimitAction.REJECT
          : WafBodyLimitAction.UNSPECIFIED,
    responseInspection: c.response_inspection ?? false,
    responseBodyLimitBytes: BigInt(c.response_body_limit_bytes ?? 0),
    sampleBasisPoints: c.sample_percent === undefined ? 0 : Math.round(c.sample_percent * 100),
    errorAction:
      c.error_action === "fail_open"
        ? WafErrorAction.FAIL_OPEN
        : c.error_action === "fail_closed"
          ? WafErrorAction.FAIL_CLOSED
          : WafErrorAction.UNSPECIFIED,
    secretFields: [...(c.secret_fields ?? [])],
  });
}

/** The `Policy.config` oneof of a stored `waf` config. */
export function toWafPolicyConfig(config: PolicyJson): PolicyConfigInit {
  return { case: "waf", value: toWafPolicy(config as WafConfigBody) };
}
