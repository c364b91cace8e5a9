// Turns measurements into the markdown table and the RESULT lines.

/**
 * Medians of one system's runs; `null` where a figure could not be measured.
 * @typedef {object} Summary
 * @property {number | null} rps wrk requests/s
 * @property {number | null} p50Ms wrk closed-loop latency
 * @property {number | null} p99Ms
 * @property {number | null} p99At5kMs fixed-rate p99
 * @property {number | null} cpuUsPerReq CPU time of the system's process tree per request, µs
 * @property {number | null} rssMiB RSS of the process tree after the load, MiB
 */

/**
 * One table row: a measured system or the reason it was not measured.
 * @typedef {{system: string, summary: Summary} | {system: string, unavailable: string}} Row
 */

/**
 * Median of the finite numbers in `values` (mean of the middle two for an even count).
 * @param {Array<number | null | undefined>} values
 * @returns {number | null} null when none is finite
 */
export function median(values) {
  const v = /** @type {number[]} */ (values.filter((x) => typeof x === "number" && Number.isFinite(x)));
  v.sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** @param {number | null | undefined} n @param {number} digits */
const fixed = (n, digits) => (n === null || n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));

/**
 * Figures relative to nginx: throughput ratio and the fixed-rate p99 difference in ms (the issue's
 * target reads "palisade-full p99 at 5k rps ≤ nginx p99 + 1 ms").
 * @param {Summary} s
 * @param {Summary | undefined} nginx
 * @returns {{rpsRatio: number | null, p99DeltaMs: number | null}}
 */
export function versusNginx(s, nginx) {
  if (!nginx) return { rpsRatio: null, p99DeltaMs: null };
  return {
    rpsRatio: s.rps !== null && nginx.rps ? s.rps / nginx.rps : null,
    p99DeltaMs: s.p99At5kMs !== null && nginx.p99At5kMs !== null ? s.p99At5kMs - nginx.p99At5kMs : null,
  };
}

/** Keeps a reason on one table cell. @param {string} s */
const cell = (s) =>
  s
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "/")
    .slice(0, 300);

/**
 * The markdown table.
 * @param {Row[]} rows
 * @param {number} rate fixed-rate requests/s (for the header)
 * @returns {string}
 */
export function renderTable(rows, rate) {
  const k = rate % 1000 === 0 ? `${rate / 1000}k` : String(rate);
  const head = [
    "system",
    "requests/s",
    "p50 ms",
    "p99 ms",
    `p99 ms @${k} rps`,
    "CPU µs/req",
    "RSS MiB",
    "rps vs nginx",
    "p99 vs nginx",
  ];
  const nginx = rows.find((r) => r.system === "nginx" && "summary" in r);
  const base = nginx && "summary" in nginx ? nginx.summary : undefined;
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const r of rows) {
    if (!("summary" in r)) {
      lines.push(`| ${r.system} | unavailable: ${cell(r.unavailable)} |${" |".repeat(head.length - 2)}`);
      continue;
    }
    const s = r.summary;
    const vs = versusNginx(s, base);
    const delta = vs.p99DeltaMs === null ? "n/a" : `${vs.p99DeltaMs >= 0 ? "+" : ""}${vs.p99DeltaMs.toFixed(2)} ms`;
    lines.push(
      `| ${[
        r.system,
        fixed(s.rps, 0),
        fixed(s.p50Ms, 2),
        fixed(s.p99Ms, 2),
        fixed(s.p99At5kMs, 2),
        fixed(s.cpuUsPerReq, 1),
        fixed(s.rssMiB, 1),
        vs.rpsRatio === null ? "n/a" : `${vs.rpsRatio.toFixed(2)}×`,
        delta,
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/**
 * One machine-readable line per measured system:
 * `RESULT <system> rps=<n> p99_ms=<n> rss_mib=<n> rps_vs_nginx=<ratio> cpu_us=<n>` where p99_ms is the
 * fixed-rate p99, cpu_us the CPU time per request under wrk, and every figure is the median of the runs ("n/a" when it could not be measured,
 * e.g. rps_vs_nginx when nginx was not part of the run).
 * @param {Row[]} rows
 * @returns {string[]}
 */
export function resultLines(rows) {
  const nginx = rows.find((r) => r.system === "nginx" && "summary" in r);
  const base = nginx && "summary" in nginx ? nginx.summary : undefined;
  const out = [];
  for (const r of rows) {
    if (!("summary" in r)) continue;
    const s = r.summary;
    const vs = versusNginx(s, base);
    out.push(
      `RESULT ${r.system} rps=${fixed(s.rps, 0)} p99_ms=${fixed(s.p99At5kMs, 3)} rss_mib=${fixed(s.rssMiB, 1)} rps_vs_nginx=${fixed(vs.rpsRatio, 3)} cpu_us=${fixed(s.cpuUsPerReq, 1)}`,
    );
  }
  return out;
}
