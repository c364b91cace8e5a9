import { create } from "@bufbuild/protobuf";
import { MirrorPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** Mirror defaults the node would apply, made explicit in the snapshot. */
export const MIRROR_DEFAULTS = Object.freeze({ timeoutMs: 5_000, maxInFlight: 100, maxBodyBytes: 65_536 });

/** The proto `MirrorPolicy` of a stored `mirror` config: timeout 5 s, 100 in flight, bodies up to 64 KiB. */
export function toMirrorPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "mirror",
    value: create(MirrorPolicySchema, {
      upstreamId: c.upstream as string,
      fraction: c.fraction as number,
      maxBodyBytes: (c.max_body_bytes as number) ?? MIRROR_DEFAULTS.maxBodyBytes,
      timeoutMs: (c.timeout_ms as number) ?? MIRROR_DEFAULTS.timeoutMs,
      maxInFlight: (c.max_in_flight as number) ?? MIRROR_DEFAULTS.maxInFlight,
    }),
  };
}
