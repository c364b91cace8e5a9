import type { PublishedVersion } from "../config/publisher.js";
import type { VersionSource } from "./stream-session.js";

/**
 * The version source the sync server's sessions share, reading each version from the store once
 * however many sessions ask for it at the same moment (single flight). Without it, 500 nodes
 * connecting to a replica that had not loaded their desired version yet each read and decoded
 * the same 1.5 MB snapshot: the PostgreSQL pool (10 connections) timed out and the hellos failed
 * over to the other replica (bench/sync/fleet.mjs).
 */
export function sharedReads(
  source: VersionSource & Required<Pick<VersionSource, "version" | "cached" | "missingFor">>,
): VersionSource {
  const reading = new Map<number, Promise<PublishedVersion | undefined>>();
  return {
    latest: () => source.latest(),
    cached: (n) => source.cached(n),
    missingFor: (held, target) => source.missingFor(held, target),
    planFor: (held, forceFull, target) => source.planFor(held, forceFull, target),
    version: (n) => {
      let p = reading.get(n);
      if (!p) {
        p = source.version(n).finally(() => reading.delete(n));
        reading.set(n, p);
      }
      return p;
    },
  };
}
