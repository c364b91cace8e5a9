// The upstreams' health and breaker metrics as an operator reads them on /metrics: a real target
// that goes down is counted unhealthy by active checks and ejected by outlier detection (the
// client never sees it: the request is retried), a breaker at its limit is open and counts the
// request it refused, and promtool accepts the exposition.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { TableHolder } from "../config/table-holder.js";
import { route, snapshot, upstream } from "../test/fixtures.js";
import { send, TestProxy, TestUpstream } from "../test/harness.js";
import { createMetricsRegistry } from "./metrics.js";
import { TrafficStats } from "./traffic-stats.js";
import { mergeUpstreamStats, type UpstreamStatsRow, upstreamStatsOf } from "./upstream-stats.js";

/** The value of one series of the exposition, `undefined` when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("upstream health and breaker metrics", () => {
  let a: TestUpstream;
  let b: TestUpstream;
  let c: TestUpstream;
  let proxy: TestProxy;
  let scrape: () => Promise<string>;
  const held: ServerResponse[] = [];

  before(async () => {
    a = await new TestUpstream("a").start();
    b = await new TestUpstream("b").start();
    c = await new TestUpstream("c").start();
    proxy = await new TestProxy().start();
    proxy.apply(
      snapshot({
        upstreams: [
          upstream("checked", [a.address, b.address], {
            healthCheck: {
              active: { path: "/healthz", intervalMs: 30, healthyThreshold: 1, unhealthyThreshold: 1 },
              passive: { disabled: true },
            },
          }),
          upstream("passive", [a.address, b.address], {
            healthCheck: { passive: { consecutiveConnectFailures: 1 } },
            retries: { maxRetries: 1 },
          }),
          upstream("tight", [c.address], { circuitBreaker: { maxRequests: 1 } }),
        ],
        routes: [route("p", "passive", ["/p"]), route("t", "tight", ["/t"])],
      }),
    );
    const register = createMetricsRegistry({
      stats: new TrafficStats(),
      holder: new TableHolder(),
      controlPlaneConnected: () => true,
      upstreams: { upstreamStats: () => upstreamStatsOf(proxy.holder.table?.upstreams.values()) },
    });
    scrape = () => register.metrics();
  });

  after(async () => {
    for (const r of held) r.end();
    await proxy.stop();
    await Promise.all([a.stop(), c.stop()]);
  });

  /** Scrapes until `series` has `value` (active checks run every 30 ms); the last exposition. */
  async function until(series: string, value: number): Promise<string> {
    for (let i = 0; i < 400; i++) {
      const text = await scrape();
      if (sample(text, series) === value) return text;
      await sleep(10);
    }
    assert.fail(`${series} never reached ${value}:\n${await scrape()}`);
  }

  it("counts every target healthy and the active checks' successes while both targets answer", async () => {
    const text = await until('palisade_upstream_targets{upstream="checked",state="healthy"}', 2);
    assert.equal(sample(text, 'palisade_upstream_targets{upstream="checked",state="unhealthy"}'), 0);
    assert.equal(sample(text, 'palisade_upstream_targets{upstream="passive",state="ejected"}'), 0);
    await until('palisade_upstream_targets{upstream="passive",state="healthy"}', 2);
    const checked = await until('palisade_upstream_health_checks_total{upstream="checked",result="failure"}', 0);
    assert.ok((sample(checked, 'palisade_upstream_health_checks_total{upstream="checked",result="success"}') ?? 0) > 0);
    // No active checks on "passive": no health-check series for it.
    assert.equal(
      sample(checked, 'palisade_upstream_health_checks_total{upstream="passive",result="success"}'),
      undefined,
    );
  });

  it("a target that goes down: unhealthy by active checks, ejected by outlier detection, retried", async () => {
    await b.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(proxy.port, "/p/x")).status);
    assert.deepEqual(statuses, [200, 200, 200, 200], "the dead target's request was retried on the other");
    const text = await until('palisade_upstream_targets{upstream="checked",state="unhealthy"}', 1);
    assert.equal(sample(text, 'palisade_upstream_targets{upstream="checked",state="healthy"}'), 1);
    assert.ok((sample(text, 'palisade_upstream_health_checks_total{upstream="checked",result="failure"}') ?? 0) >= 1);
    assert.equal(sample(text, 'palisade_upstream_targets{upstream="passive",state="ejected"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_targets{upstream="passive",state="healthy"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_outlier_ejections_total{upstream="passive"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_retries_total{upstream="passive"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_outlier_ejections_total{upstream="checked"}'), 0);
  });

  it("a breaker at its limit is open and counts the request it refused", async () => {
    c.behaviour = (_req, res) => {
      held.push(res);
      return true;
    };
    const first = send(proxy.port, "/t/slow");
    while (c.seen.length === 0) await sleep(5);
    const refused = await send(proxy.port, "/t/again");
    assert.equal(refused.status, 503);
    let text = await scrape();
    assert.equal(sample(text, 'palisade_upstream_circuit_breaker_open{upstream="tight"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_circuit_breaker_overflows_total{upstream="tight"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_requests_active{upstream="tight"}'), 1);
    assert.equal(sample(text, 'palisade_upstream_circuit_breaker_open{upstream="passive"}'), 0);
    held.shift()!.end("done");
    assert.equal((await first).status, 200);
    text = await until('palisade_upstream_circuit_breaker_open{upstream="tight"}', 0);
    assert.equal(sample(text, 'palisade_upstream_requests_active{upstream="tight"}'), 0);
    assert.equal(sample(text, 'palisade_upstream_circuit_breaker_overflows_total{upstream="tight"}'), 1);

    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(lint.error, undefined, "promtool is installed by npm test (Debian package prometheus)");
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  });
});

describe("upstream figures over cluster workers", () => {
  const row = (targets: UpstreamStatsRow["targets"], n: number, breakerOpen = 0): UpstreamStatsRow => ({
    upstream: "u",
    targets,
    breakerOpen,
    active: n,
    retried: n,
    overflows: n,
    ejections: n,
    checksOk: n,
    checksFailed: n,
  });

  it("adds counters, takes each target's worst state and an open breaker from any worker", () => {
    const [m] = mergeUpstreamStats([
      [row({ x: "healthy", y: "healthy" }, 1)],
      [row({ x: "ejected", y: "healthy" }, 2, 1)],
      [row({ x: "healthy", y: "unhealthy" }, 3)],
    ]);
    assert.deepEqual(m, row({ x: "ejected", y: "unhealthy" }, 6, 1));
  });

  it("keeps a retired worker's counters but not its gauges", () => {
    const [m] = mergeUpstreamStats([[row({ x: "healthy" }, 1)]], [row({ x: "ejected" }, 5, 1)]);
    assert.deepEqual(m, { ...row({ x: "healthy" }, 6), active: 1 });
  });
});
