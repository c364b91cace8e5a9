#!/usr/bin/env node
// `npm run soak` (issue 21 point 4): one palisade-dp node (one worker, the bench's full policy
// chain on /full) under an open-loop load at half of its measured saturation for --minutes
// (default 30), with a config publish every second (a route edited, then published: the node
// applies ~1,800 versions in 30 min). Every --window seconds (default 60) it prints the window's
// achieved rate, p50/p99, errors and non-2xx, the node's RSS and the versions applied; at the end
// the RSS drift (last window vs. the first after warm-up), the p99 range and the totals, with
// `RESULT soak …` lines. Loopback only, bounded in time; stops every process it started.
//
//   npm run soak [-- --minutes 30 --window 60 --rate <requests/s>]
// Not part of npm test (it runs for half an hour).
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { startPalisade } from "./lib/palisade.mjs";
import { scriptSetup, stopAll, treeRssMiB } from "./lib/proc.mjs";
import { startUpstream } from "./lib/upstream.mjs";
import { runWrk } from "./lib/wrk.mjs";

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (msg) => process.stderr.write(`[soak] ${msg}\n`);

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    window: { type: "string", default: "60" },
    rate: { type: "string" },
    route: { type: "string", default: "full" },
  },
});
const MINUTES = Number(values.minutes);
const WINDOW_S = Number(values.window);
if (!(MINUTES > 0) || !(WINDOW_S >= 5)) {
  log("--minutes must be > 0 and --window ≥ 5 (seconds)");
  process.exit(2);
}

const { pin, dir, ctx } = scriptSetup("palisade-soak-", REPO_ROOT, log);

/** Edits a route and publishes, once a second, until `stop()`; counts publishes and failures. */
function publisher(api) {
  let stopped = false;
  const counts = { published: 0, failed: 0, lastVersion: 0 };
  const done = (async () => {
    await api("POST", "/v1/routes", { name: "churn", paths: ["/churn-0"], upstream: "bench" });
    for (let i = 1; !stopped; i++) {
      const t0 = Date.now();
      try {
        await api("PUT", "/v1/routes/churn", { name: "churn", paths: [`/churn-${i}`], upstream: "bench" });
        counts.lastVersion = (await api("POST", "/v1/config/versions", { message: `soak ${i}` })).version;
        counts.published++;
      } catch (err) {
        counts.failed++;
        if (counts.failed <= 3) log(`publish ${i} failed: ${err.message}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
    }
  })();
  return {
    counts,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

let exitCode = 0;
try {
  const upstream = await startUpstream(ctx);
  ctx.upstreamPort = upstream.port;
  const palisade = await startPalisade(ctx, "standard");
  const route = palisade.routes[values.route];
  if (!route?.url) throw new Error(`route /${values.route} is not served: ${route?.reason ?? "unknown"}`);

  let rate = Number(values.rate ?? 0);
  if (!rate) {
    const sat = await runWrk({
      url: route.url,
      durationS: 10,
      connections: 50,
      headers: route.headers,
      cpus: pin.load,
    });
    rate = Math.max(100, Math.round(sat.rps / 2 / 100) * 100);
    log(`saturation ${Math.round(sat.rps)} requests/s on /${values.route}: soaking at ${rate} requests/s`);
  }
  const pub = publisher(palisade.api);
  const windows = [];
  const total = Math.ceil((MINUTES * 60) / WINDOW_S);
  process.stdout.write("| minute | requests/s | p50 ms | p99 ms | errors | non-2xx | RSS MiB | versions published |\n");
  process.stdout.write("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (let w = 0; w < total; w++) {
    const r = await runFixedRate({
      url: route.url,
      rate,
      connections: 50,
      durationS: WINDOW_S,
      warmupS: w === 0 ? 2 : 0,
      headers: route.headers,
      cpus: pin.load,
    });
    const rss = treeRssMiB(palisade.dpPid);
    const row = { minute: ((w + 1) * WINDOW_S) / 60, ...r, rss, published: pub.counts.published };
    windows.push(row);
    process.stdout.write(
      `| ${row.minute.toFixed(1)} | ${Math.round(r.achievedRps)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} | ${r.non2xx} | ${rss.toFixed(1)} | ${row.published} |\n`,
    );
  }
  await pub.stop();

  // Drift from the first window after warm-up (the second when there are several) to the last.
  const base = windows[Math.min(1, windows.length - 1)];
  const last = windows.at(-1);
  const drift = (last.rss - base.rss) / base.rss;
  const p99s = windows.map((w) => w.p99Ms);
  const errors = windows.reduce((n, w) => n + w.errors, 0);
  const non2xx = windows.reduce((n, w) => n + w.non2xx, 0);
  const completed = windows.reduce((n, w) => n + w.completed, 0);
  process.stdout.write(
    `\nRESULT soak minutes=${MINUTES} rate=${rate} completed=${completed} errors=${errors} non2xx=${non2xx} ` +
      `rss_start_mib=${base.rss.toFixed(1)} rss_end_mib=${last.rss.toFixed(1)} rss_drift_pct=${(drift * 100).toFixed(1)} ` +
      `p99_min_ms=${Math.min(...p99s).toFixed(2)} p99_max_ms=${Math.max(...p99s).toFixed(2)} ` +
      `published=${pub.counts.published} publish_failed=${pub.counts.failed}\n`,
  );
  process.stdout.write(
    `target RSS drift < 10 %: ${Math.abs(drift) < 0.1 ? "met" : "NOT met"}; errors 0: ${errors + non2xx === 0 ? "met" : "NOT met"}\n`,
  );
  await palisade.stop();
} catch (err) {
  log(`failed: ${err.stack ?? err}`);
  exitCode = 1;
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
