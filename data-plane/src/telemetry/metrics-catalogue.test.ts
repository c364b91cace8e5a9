// The node's /metrics against the metric catalogue (@palisade/events): what the node exports is
// catalogued, and what the catalogue says the node exports is there. The dashboards' test checks
// their queries against the catalogue, so together the dashboards read what nodes expose. When
// the request loop exports a planned metric, its catalogue entry turns `exported` and this test
// holds it to that.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_PROCESS_METRICS, METRIC_CATALOGUE, metricOfSeries } from "@palisade/events";
import { TableHolder } from "../config/table-holder.js";
import { createMetricsRegistry } from "./metrics.js";
import { ShadowStats } from "./shadow-stats.js";
import { SyncStats } from "./sync-stats.js";
import { TrafficStats } from "./traffic-stats.js";
import { WafStats } from "./waf-stats.js";

test("the node's exposition and the catalogue's node metrics are the same set", async () => {
  const shadow = new ShadowStats();
  shadow.route("r1");
  const register = createMetricsRegistry({
    stats: new TrafficStats(),
    holder: new TableHolder(),
    controlPlaneConnected: () => true,
    sync: new SyncStats(),
    shadow,
    waf: new WafStats(),
    siem: { siemStats: () => null },
    syncEvents: () => undefined,
    upstreams: { upstreamStats: () => [] },
  });
  const text = await register.metrics();
  const declared = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  for (const name of declared) {
    const spec = metricOfSeries(name);
    assert.ok(spec, `${name} is exported but not in the metric catalogue`);
  }
  for (const m of [...METRIC_CATALOGUE, ...DEFAULT_PROCESS_METRICS].filter(
    (x) => x.plane === "node" && x.status === "exported",
  ))
    assert.ok(declared.has(m.name), `${m.name} is catalogued as exported by the node but is not`);
});
