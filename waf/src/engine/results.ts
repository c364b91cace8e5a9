import type { ByteString } from "../bytes.js";
import type { Phase } from "../compile/types.js";

/**
 * What stops a transaction (ModSecurity's intervention): `deny` answers `status` (403 unless the
 * rule says otherwise), `drop` closes the connection, `redirect` answers `status` (302 unless
 * 301/303/307/308 is given) with `Location: url`.
 */
export interface Interruption {
  readonly action: "deny" | "drop" | "redirect";
  readonly status: number;
  /** The rule that interrupted (0 for an engine limit, e.g. the request body limit). */
  readonly ruleId: number;
  readonly phase: Phase;
  readonly url?: ByteString;
}

/** A matched variable: its name (`ARGS:id`) and value after the rule's transformations. The caller redacts. */
export interface MatchedVar {
  readonly name: string;
  readonly value: ByteString;
}

/**
 * One rule that matched and logs (its chain fully matched; `nolog` rules are not reported).
 * `msg` and `logdata` are expanded with the values at the time of the match.
 */
export interface MatchedRule {
  readonly id: number;
  readonly phase: Phase;
  readonly msg: ByteString;
  readonly logdata: ByteString;
  readonly tags: readonly string[];
  /** 0 (EMERGENCY) … 7 (DEBUG), or null when the rule has none. */
  readonly severity: number | null;
  readonly ver: string | null;
  readonly paranoiaLevel: number | null;
  /** The rule's disruptive action as it applied (`pass` for CRS's scoring rules). */
  readonly action: "pass" | "deny" | "drop" | "redirect" | "allow";
  /** Every value that matched, in every link of the chain. */
  readonly matches: readonly MatchedVar[];
}

/**
 * CRS's anomaly scores as the rules left them in TX (REQUEST-949 and RESPONSE-959 read these):
 * `inbound`/`outbound` are the blocking scores (tx.blocking_inbound_anomaly_score,
 * tx.blocking_outbound_anomaly_score), `detectionInbound`/`detectionOutbound` the totals at the
 * detection paranoia level. Zero when CRS is not loaded.
 */
export interface AnomalyScores {
  readonly inbound: number;
  readonly outbound: number;
  readonly detectionInbound: number;
  readonly detectionOutbound: number;
}
