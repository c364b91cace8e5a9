/**
 * Published versions are immutable, so each is fetched once per page load and
 * shared by every screen that diffs them.
 */
import { useEffect, useState } from "react";
import type { ApiClient } from "../api/client.ts";
import type { VersionDetail } from "../api/types.ts";

const cache = new Map<number, Promise<VersionDetail>>();

/** Version `n` with its snapshot, fetched at most once (a failed fetch is retried next time). */
export function getVersion(api: ApiClient, n: number): Promise<VersionDetail> {
  let p = cache.get(n);
  if (!p) {
    p = api.version(n);
    cache.set(n, p);
    p.catch(() => cache.delete(n));
  }
  return p;
}

/** The listed versions, as they arrive (missing ones are absent from the map). */
export function useVersionDetails(api: ApiClient, ns: number[]): Map<number, VersionDetail> {
  const [got, setGot] = useState(() => new Map<number, VersionDetail>());
  const key = ns.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `ns`
  useEffect(() => {
    let live = true;
    for (const n of ns)
      getVersion(api, n).then(
        (v) => {
          if (live) setGot((m) => (m.has(n) ? m : new Map(m).set(n, v)));
        },
        () => {},
      );
    return () => {
      live = false;
    };
  }, [api, key]);
  return got;
}
