// The upstream and the systems under test: generated configs (nginx, haproxy) or peer scripts,
// each started as a child process on 127.0.0.1 and stopped by its PID.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./net.mjs";
import { LARGE_TABLE_ROUTES, startPalisade } from "./palisade.mjs";
import { startProcess, stopProcess } from "./proc.mjs";
import { startNginx, waitServing } from "./upstream.mjs";

/**
 * A system under test, up and answering.
 * @typedef {object} RunningSystem
 * @property {string} url the URL the load drives
 * @property {Record<string, string>} headers request headers every load request carries
 * @property {number} pid root of the process tree charged with CPU time and RSS
 * @property {() => Promise<void>} stop
 * @property {string[]} notes remarks for the report (e.g. policy types missing from the chain)
 * @property {() => Promise<string | undefined>} [extraCheck] returns a problem, or undefined when fine
 */

/**
 * A system the bench can measure.
 * @typedef {object} SystemSpec
 * @property {string} name
 * @property {string} description
 * @property {(ctx: import("./upstream.mjs").BenchContext) => Promise<RunningSystem>} start
 */

/** Path the load drives on the peers: the same request line as palisade-bare's. */
const PEER_PATH = "/bare";

/**
 * Starts a peer process that listens on a port we chose, and waits until it proxies.
 * @param {(port: number) => import("./proc.mjs").Tracked} launch
 * @returns {Promise<RunningSystem>}
 */
async function startPeer(launch) {
  const port = await freePort();
  const proc = launch(port);
  const url = `http://127.0.0.1:${port}${PEER_PATH}`;
  try {
    await waitServing(url, proc);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return { url, headers: {}, pid: proc.pid, notes: [], stop: () => stopProcess(proc) };
}

/** @param {string} file */
const peerScript = (file) => fileURLToPath(new URL(`../peers/${file}`, import.meta.url));

/**
 * Palisade's CP + DP per variant, started on demand and shared by the systems of that variant
 * (palisade-bare, -full, -jwt and -jwt-nocache drive one node). Starting one variant stops the
 * other, so only one node sits on the system-under-test CPU.
 * @type {Map<import("./palisade.mjs").Variant, Promise<import("./palisade.mjs").Palisade>>}
 */
const palisades = new Map();

/** @param {Promise<import("./palisade.mjs").Palisade>} p */
async function stopOne(p) {
  try {
    await (await p).stop();
  } catch {
    // it never started; nothing to stop
  }
}

/** Stops every Palisade instance that was started. */
export async function stopPalisade() {
  const all = [...palisades.values()];
  palisades.clear();
  for (const p of all) await stopOne(p);
}

/**
 * @param {import("./palisade.mjs").Variant} variant
 * @param {string} route route name of that variant
 * @returns {SystemSpec["start"]}
 */
function startPalisadeRoute(variant, route) {
  return async (ctx) => {
    for (const [v, other] of palisades) {
      if (v === variant) continue;
      palisades.delete(v);
      await stopOne(other);
    }
    let started = palisades.get(variant);
    if (started === undefined) {
      started = startPalisade(ctx, variant);
      palisades.set(variant, started);
    }
    const p = await started;
    const r = p.routes[route] ?? { reason: `route ${route} was not configured` };
    if ("reason" in r) throw new Error(r.reason);
    return {
      url: r.url,
      headers: r.headers,
      pid: p.dpPid,
      notes: r.notes,
      extraCheck: r.extraCheck,
      stop: async () => {},
    };
  };
}

/** Every system, in the order they run. @type {readonly SystemSpec[]} */
export const SYSTEMS = [
  {
    name: "nginx",
    description: "nginx proxy_pass, 1 worker, upstream keepalive 64",
    start: (ctx) =>
      startPeer((port) =>
        startNginx(
          ctx,
          "sut",
          `  upstream bench_upstream {
    server 127.0.0.1:${ctx.upstreamPort};
    keepalive 64;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
          ctx.sutCpus,
        ),
      ),
  },
  {
    name: "haproxy",
    description: "haproxy 2.6, nbthread 1, mode http, http-reuse always",
    start: (ctx) =>
      startPeer((port) => {
        const conf = join(ctx.dir, "haproxy.cfg");
        writeFileSync(
          conf,
          `global
  nbthread 1
  maxconn 4096

defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s

frontend bench
  bind 127.0.0.1:${port}
  default_backend upstream

backend upstream
  http-reuse always
  server up1 127.0.0.1:${ctx.upstreamPort}
`,
        );
        // -db: stay in the foreground, no master/daemon mode.
        return startProcess("haproxy", "haproxy", ["-db", "-f", conf], { cpus: ctx.sutCpus });
      }),
  },
  {
    name: "caddy",
    description: "caddy 2.6 reverse_proxy, GOMAXPROCS=1, keep-alive upstream",
    start: (ctx) =>
      startPeer((port) => {
        const conf = join(ctx.dir, "Caddyfile");
        // A Go proxy as a peer: admin API and automatic HTTPS off, no access log (Caddy logs
        // none unless asked), upstream keep-alive with enough idle connections for 50 clients (the default keeps
        // 32 per host, so 50 clients would churn connections).
        writeFileSync(
          conf,
          `{
  admin off
  auto_https off
}
http://127.0.0.1:${port} {
  reverse_proxy 127.0.0.1:${ctx.upstreamPort} {
    transport http {
      keepalive 120s
      keepalive_idle_conns 128
      keepalive_idle_conns_per_host 128
    }
  }
}
`,
        );
        // GOMAXPROCS=1: one OS thread runs Go code, as nginx and haproxy get one worker/thread.
        return startProcess("caddy", "caddy", ["run", "--config", conf, "--adapter", "caddyfile"], {
          cpus: ctx.sutCpus,
          env: { ...process.env, GOMAXPROCS: "1", HOME: ctx.dir, XDG_DATA_HOME: ctx.dir, XDG_CONFIG_HOME: ctx.dir },
        });
      }),
  },
  {
    name: "fastify-http-proxy",
    description: "fastify 5 + @fastify/http-proxy",
    start: (ctx) =>
      startPeer((port) =>
        startProcess(
          "fastify-http-proxy",
          process.execPath,
          [
            peerScript("fastify-http-proxy.mjs"),
            "--port",
            String(port),
            "--upstream",
            `http://127.0.0.1:${ctx.upstreamPort}`,
          ],
          { cpus: ctx.sutCpus },
        ),
      ),
  },
  {
    name: "undici-minimal",
    description: "node:http + undici Pool, no features",
    start: (ctx) =>
      startPeer((port) =>
        startProcess(
          "undici-minimal",
          process.execPath,
          [
            peerScript("undici-minimal.mjs"),
            "--port",
            String(port),
            "--upstream",
            `http://127.0.0.1:${ctx.upstreamPort}`,
          ],
          { cpus: ctx.sutCpus },
        ),
      ),
  },
  {
    name: "engine-prototype",
    description: "the data plane's HTTP/1.1 engine alone: its server → ClientPool → writer, no phases",
    start: (ctx) =>
      startPeer((port) =>
        startProcess(
          "engine-prototype",
          process.execPath,
          [
            peerScript("engine-proxy.mjs"),
            "--port",
            String(port),
            "--upstream",
            `http://127.0.0.1:${ctx.upstreamPort}`,
          ],
          { cpus: ctx.sutCpus },
        ),
      ),
  },
  {
    name: "palisade-bare",
    description: "Palisade data plane, route without policies",
    start: startPalisadeRoute("standard", "bare"),
  },
  {
    name: "palisade-full",
    description: "Palisade data plane, route with every policy of bench/policies.mjs",
    start: startPalisadeRoute("standard", "full"),
  },
  {
    name: "palisade-waf",
    description:
      "Palisade data plane, the palisade-full chain plus the WAF: OWASP CRS v4.28.0 at paranoia level 1, block mode, benign API traffic",
    start: startPalisadeRoute("standard", "waf"),
  },
  {
    name: "palisade-jwt",
    description: "Palisade data plane, route with the jwt policy only (RS256, verified-token cache on)",
    start: startPalisadeRoute("standard", "jwt"),
  },
  {
    name: "palisade-jwt-nocache",
    description: "Palisade data plane, route with the jwt policy only, cache off (one RS256 verification per request)",
    start: startPalisadeRoute("standard", "jwt-nocache"),
  },
  {
    name: "palisade-10k-routes",
    description: `Palisade data plane, route without policies beside ${LARGE_TABLE_ROUTES.toLocaleString("en")} generated routes`,
    start: startPalisadeRoute("routes-10k", "bare"),
  },
];
