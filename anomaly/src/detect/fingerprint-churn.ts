import { type Detection, type DetectionLevel, detection, fmt, type Subject } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Client fingerprint churn: one consumer (or credential) used from many addresses or user agents
 * at once (a leaked key shared by a botnet). Distinct counts are linear-counting bitmaps over the
 * last 5–10 minutes. Rule: distinct addresses ≥ max(`minAddresses`, `ratio` × the consumer's own
 * largest earlier count), or the same for user agents.
 * @returns the detection, or null
 */
export function fingerprintChurn(
  th: DetectorThresholds["fingerprintChurn"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  addresses: number,
  userAgents: number,
  ownAddresses: number,
  ownUserAgents: number,
): Detection | null {
  if (!th.enabled) return null;
  const ta = Math.max(th.minAddresses, th.ratio * ownAddresses);
  const tu = Math.max(th.minUserAgents, th.ratio * ownUserAgents);
  const byAddress = addresses >= ta;
  if (!byAddress && userAgents < tu) return null;
  return detection(
    "fingerprint_churn",
    level,
    scope,
    now,
    subject,
    route,
    byAddress ? addresses : userAgents,
    byAddress ? ownAddresses : ownUserAgents,
    byAddress ? ta : tu,
    byAddress ? "addresses" : "user agents",
    `${subject.type} ${subject.id} seen from about ${fmt(addresses)} addresses and ${fmt(userAgents)} user agents within 10 min, baseline ${fmt(ownAddresses)} addresses and ${fmt(ownUserAgents)} user agents`,
  );
}
