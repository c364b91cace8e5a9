/**
 * Pure helpers of the anomalies page: a route baseline as chart series, the remaining time of a
 * decision, and the manual-block form's checks (the API checks again).
 */
import type { AnomalyBaseline, AnomalyBlock } from "../api/types.ts";

/** A baseline's bucket start times, seconds (uPlot's time axis). */
export function baselineTimes(b: AnomalyBaseline): number[] {
  return b.requests.map((_, i) => (b.startMs + i * b.bucketMs) / 1000);
}

/** Sum of a series. */
export function total(values: readonly number[]): number {
  let n = 0;
  for (const v of values) n += v;
  return n;
}

/** "14 min", "40 s", "expired": how long a decision still holds. */
export function remaining(expiresAt: string, nowMs = Date.now()): string {
  const s = Math.round((Date.parse(expiresAt) - nowMs) / 1000);
  if (!(s > 0)) return "expired";
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The form's fields as typed. */
export interface BlockForm {
  targetType: string;
  targetId: string;
  action: string;
  ttlS: string;
  rate: string;
  reason: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The POST body of a manual block, or the error to show with its field.
 * @returns `{ body }` or `{ field, message }`
 */
export function blockBody(f: BlockForm): { body: AnomalyBlock } | { field: keyof BlockForm; message: string } {
  const id = f.targetId.trim();
  if (id === "") return { field: "targetId", message: "name the client" };
  if (f.targetType === "address" && !IPV4.test(id) && !(id.includes(":") && /^[0-9a-fA-F:.]+$/.test(id)))
    return { field: "targetId", message: "an IPv4 or IPv6 address" };
  const ttl = Number(f.ttlS);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 604_800) return { field: "ttlS", message: "1 to 604800 seconds" };
  const body: AnomalyBlock = {
    target_type: f.targetType as AnomalyBlock["target_type"],
    target_id: id,
    action: f.action === "throttle" ? "throttle" : "deny",
    ttl_s: ttl,
    reason: f.reason.trim() || "blocked by an operator",
  };
  if (body.action === "throttle") {
    const rate = Number(f.rate);
    if (!(rate >= 0.01 && rate <= 100_000)) return { field: "rate", message: "0.01 to 100000 requests/s" };
    body.rate_per_s = rate;
  }
  return { body };
}
