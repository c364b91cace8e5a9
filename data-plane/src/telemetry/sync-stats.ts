/**
 * Counters of the config stream, for `/metrics` (`palisade_config_updates_total{kind}`,
 * `palisade_config_update_bytes_total`): an operator (or a test) can see whether a resync after a
 * reconnect sent anything, and whether changes arrive as deltas.
 */
export class SyncStats {
  /** Full updates received. */
  full = 0;
  /** Delta updates received. */
  delta = 0;
  /** Updates refused (NACK, including BASE_MISMATCH). */
  nacked = 0;
  /** Encoded bytes of the updates received. */
  bytes = 0;

  /** Counts one update received (full or delta), by the single-process and the cluster applier alike. */
  received(full: boolean): void {
    if (full) this.full++;
    else this.delta++;
  }
}
