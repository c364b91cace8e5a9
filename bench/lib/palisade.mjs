// Starts the real Palisade: a control plane (admin API + sync) configured over its REST API, and
// one data-plane node that syncs from it (one worker, no HTTPS listener). Two variants: "standard"
// (routes bare, full, jwt, jwt-nocache: the palisade-bare/-full/-jwt/-jwt-nocache systems) and
// "routes-10k" (route bare beside 10,000 generated routes: palisade-10k-routes).
// The CLI contract used here is fixed (see bench/README.md); anything missing or failing becomes
// a reason for an "unavailable" row, never a crash of the run.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { FULL_CHAIN, typesMissingFromChain, WAF_CLIENT_HEADERS, WAF_POLICY } from "../policies.mjs";
import { generateConfig } from "../sync/generate-config.mjs";
import { freePort, httpRequest, waitFor } from "./net.mjs";
import { startProcess, stopProcess } from "./proc.mjs";
import { SEEN_USER_HEADER, waitServing } from "./upstream.mjs";

const CP_BIN = "control-plane/dist/bin/palisade-cp.js";
const DP_BIN = "data-plane/dist/bin/palisade-dp.js";
const ISSUER = "https://idp.bench";
const AUDIENCE = "bench";
const SUBJECT = "bench-user";

/**
 * A route ready for load, or why it is not.
 * @typedef {{url: string, headers: Record<string, string>, notes: string[],
 *   extraCheck?: () => Promise<string | undefined>} | {reason: string}} RouteState
 */

/**
 * Which config the node is loaded with.
 * - `standard`: routes `bare` (no policy), `full` (every policy of policies.mjs), `waf` (the same
 *   chain plus CRS at paranoia level 1 in block mode), `jwt` (only the jwt policy, verified-token
 *   cache on: the default) and `jwt-nocache` (the same with `cache: false`: one RS256
 *   verification per request).
 * - `routes-10k`: route `bare` beside 10,000 generated routes (bench/sync/generate-config.mjs:
 *   GitHub's REST API under api-N.example.com hosts, one in five behind a JWT policy), for the
 *   data plane's RSS with a large table (issue 3: under 150 MiB) and the router's cost at that size.
 * @typedef {"standard" | "routes-10k"} Variant
 */

/** Routes of the generated table in the `routes-10k` variant. */
export const LARGE_TABLE_ROUTES = 10_000;

/**
 * @typedef {object} Palisade
 * @property {number} dpPid PID of the data-plane process (its tree is what gets charged)
 * @property {Record<string, RouteState>} routes by route name (`bare`, `full`, `jwt`, `jwt-nocache`)
 * @property {() => Promise<void>} stop stops the DP, then the CP
 * @property {(method: string, path: string, body?: unknown) => Promise<any>} api the control plane's admin API (admin token set)
 */

/**
 * The bench's RS256 key and one token for every request (exp 1 h).
 * @returns {Promise<import("../policies.mjs").BenchCredentials>}
 */
async function makeCredentials() {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `bench-${randomBytes(4).toString("hex")}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setSubject(SUBJECT)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
  return { publicJwk, token, issuer: ISSUER, audience: AUDIENCE };
}

/**
 * Policy types the built data plane ships (BUNDLED_POLICY_TYPES), or [] when it cannot be read.
 * @param {string} repoRoot
 * @returns {Promise<string[]>}
 */
async function bundledPolicyTypes(repoRoot) {
  const file = join(repoRoot, "data-plane/dist/policies/registry.js");
  if (!existsSync(file)) return [];
  try {
    const mod = await import(pathToFileURL(file).href);
    return Array.isArray(mod.BUNDLED_POLICY_TYPES) ? [...mod.BUNDLED_POLICY_TYPES] : [];
  } catch {
    return [];
  }
}

/**
 * Error text from an admin API answer: `{"error": {"code", "message", "field"}}`.
 * @param {import("./net.mjs").HttpResult} r
 */
function apiError(r) {
  try {
    const e = JSON.parse(r.body).error;
    return `${r.status} ${e.code}: ${e.message}${e.field ? ` (field ${e.field})` : ""}`;
  } catch {
    return `${r.status} ${r.body.slice(0, 200)}`;
  }
}

/**
 * Runs `fn` over `items` with at most `width` calls in flight.
 * @template T
 * @param {readonly T[]} items
 * @param {number} width
 * @param {(item: T) => Promise<void>} fn
 */
async function pool(items, width, fn) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/**
 * A started control plane and a way to call its admin API.
 * @typedef {object} BenchControlPlane
 * @property {import("./proc.mjs").Tracked} proc
 * @property {number} syncPort its plain (insecure) gRPC sync port on 127.0.0.1
 * @property {(method: string, path: string, json?: unknown) => Promise<any>} api one admin API call
 *   with the bearer token; resolves to the parsed JSON body (undefined when empty) and throws with the
 *   API's error code and field on a non-2xx answer
 */

/**
 * Starts palisade-cp on 127.0.0.1 (admin and sync on port 0, plain gRPC sync: the bench measures the
 * proxy, not the node's mTLS join) with a random admin token. Its ports come from its "listening" log
 * lines. Stops it again when it does not announce them within 30 s.
 * @param {{cpBin: string, dbFile: string, cwd: string, cpus: string | null}} opts
 * @returns {Promise<BenchControlPlane>}
 * @throws Error when the process exits or never announces both ports
 */
export async function startControlPlane({ cpBin, dbFile, cwd, cpus }) {
  const adminToken = randomBytes(24).toString("hex");
  /** @type {{admin?: number, sync?: number}} */
  const ports = {};
  const proc = startProcess(
    "palisade-cp",
    process.execPath,
    [cpBin, "--db", dbFile, "--admin-listen", "127.0.0.1:0", "--sync-listen", "127.0.0.1:0", "--sync-insecure"],
    {
      cpus,
      cwd,
      env: { ...process.env, PALISADE_ADMIN_TOKEN: adminToken, PALISADE_LOG_LEVEL: "info" },
      onStdoutLine: (line) => {
        if (!line.startsWith("{")) return;
        try {
          const rec = JSON.parse(line);
          if (rec.msg === "listening" && (rec.listener === "admin" || rec.listener === "sync")) {
            ports[/** @type {"admin" | "sync"} */ (rec.listener)] = Number(rec.port);
          }
        } catch {
          // not a log record
        }
      },
    },
  );
  try {
    await waitFor(
      "palisade-cp to log its admin and sync ports",
      async () => (ports.admin && ports.sync ? true : undefined),
      {
        timeoutMs: 30_000,
        process: proc,
      },
    );
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  const admin = `http://127.0.0.1:${ports.admin}`;
  /** @type {BenchControlPlane["api"]} */
  const api = async (method, path, json) => {
    const r = await httpRequest(`${admin}${path}`, {
      method,
      json,
      headers: { authorization: `Bearer ${adminToken}` },
      timeoutMs: 10_000,
    });
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${apiError(r)}`);
    return r.body ? JSON.parse(r.body) : undefined;
  };
  return { proc, syncPort: /** @type {number} */ (ports.sync), api };
}

/**
 * palisade-dp's arguments (after `node`) for one bench node: plain HTTP only, like every peer (no
 * HTTPS listener to bind: its default is 0.0.0.0:8443), plain sync from the control plane on
 * 127.0.0.1, warn-level logs, state in `stateDir`.
 * @param {{dpBin: string, nodeId: string, region?: string, syncPort: number, listenPort: number,
 *   statusPort: number, stateDir: string}} opts
 * @returns {string[]}
 */
export function dataPlaneArgs({ dpBin, nodeId, region, syncPort, listenPort, statusPort, stateDir }) {
  return [
    dpBin,
    "--node-id",
    nodeId,
    ...(region ? ["--region", region] : []),
    "--control-plane",
    `127.0.0.1:${syncPort}`,
    "--listen",
    `127.0.0.1:${listenPort}`,
    "--status-listen",
    `127.0.0.1:${statusPort}`,
    "--log-level",
    "warn",
    "--state-dir",
    stateDir,
    "--sync-insecure",
    "--tls-listen",
    "off",
  ];
}

/**
 * Starts CP and DP and configures the routes of `variant`.
 * @param {import("./upstream.mjs").BenchContext} ctx
 * @param {Variant} [variant]
 * @returns {Promise<Palisade>}
 * @throws Error with the reason when Palisade cannot be measured at all
 */
export async function startPalisade(ctx, variant = "standard") {
  const cpBin = join(ctx.repoRoot, CP_BIN);
  const dpBin = join(ctx.repoRoot, DP_BIN);
  if (!existsSync(cpBin)) throw new Error(`${CP_BIN} not found (control plane not built)`);
  if (!existsSync(dpBin)) throw new Error(`${DP_BIN} not found (data plane not built yet)`);
  const help = spawnSync(process.execPath, [dpBin, "--help"], { encoding: "utf8", timeout: 10_000 });
  if (help.status !== 0) {
    const why = (help.stderr || help.stdout || help.error?.message || "").trim().split("\n").slice(-3).join(" ");
    throw new Error(`palisade-dp --help exited with ${help.status ?? help.signal}: ${why}`);
  }
  const hasWorkers = /--workers\b/.test(`${help.stdout}${help.stderr}`);

  /** @type {import("./proc.mjs").Tracked | undefined} */
  let cp;
  /** @type {import("./proc.mjs").Tracked | undefined} */
  let dp;
  const stop = async () => {
    await stopProcess(dp);
    await stopProcess(cp);
  };
  try {
    // Control plane, with the helpers on the load CPU.
    const started = await startControlPlane({
      cpBin,
      dbFile: join(ctx.dir, `bench-${variant}.db`),
      cwd: ctx.dir,
      cpus: ctx.loadCpus,
    });
    cp = started.proc;
    const { api, syncPort } = started;

    await api("POST", "/v1/upstreams", { name: "bench", targets: [{ host: "127.0.0.1", port: ctx.upstreamPort }] });
    await api("POST", "/v1/routes", { name: "bare", paths: ["/bare"], upstream: "bench" });

    /**
     * Routes to wait for once the node runs: name → headers to send, or why it is not there.
     * @type {Map<string, {headers: Record<string, string>, reason?: string}>}
     */
    const planned = new Map([["bare", { headers: {} }]]);
    const creds = await makeCredentials();
    if (variant === "standard") {
      // The full chain: a failure here costs palisade-full only.
      /** @type {Record<string, string>} */
      const fullHeaders = {};
      /** @type {string[]} */
      const names = [];
      try {
        for (const entry of FULL_CHAIN) {
          Object.assign(fullHeaders, await entry.prepare?.(api));
          const body = entry.body(creds);
          await api("POST", "/v1/policies", body);
          names.push(body.name);
          Object.assign(fullHeaders, entry.requestHeaders?.(creds));
        }
        await api("POST", "/v1/routes", { name: "full", paths: ["/full"], upstream: "bench", policies: names });
        planned.set("full", { headers: fullHeaders });
      } catch (err) {
        planned.set("full", {
          headers: {},
          reason: `configuring the full chain failed: ${/** @type {Error} */ (err).message}`,
        });
      }
      // The full chain plus the WAF (issue 14): CRS compiled on the node, benign API traffic.
      if (planned.get("full")?.reason === undefined) {
        try {
          await api("POST", "/v1/policies", WAF_POLICY);
          await api("POST", "/v1/routes", {
            name: "waf",
            paths: ["/waf"],
            upstream: "bench",
            policies: [...names, WAF_POLICY.name],
          });
          planned.set("waf", { headers: { ...fullHeaders, ...WAF_CLIENT_HEADERS } });
        } catch (err) {
          planned.set("waf", {
            headers: {},
            reason: `configuring the waf route failed: ${/** @type {Error} */ (err).message}`,
          });
        }
      }
      // JWT alone, with the verified-token cache on (the default) and off: what the cache buys.
      const jwtHeaders = { Authorization: `Bearer ${creds.token}` };
      for (const [name, cache] of /** @type {const} */ ([
        ["jwt", true],
        ["jwt-nocache", false],
      ])) {
        try {
          await api("POST", "/v1/policies", {
            name: `${name}-only`,
            type: "jwt",
            config: {
              jwks: { keys: [creds.publicJwk] },
              algorithms: ["RS256"],
              issuers: [creds.issuer],
              audiences: [creds.audience],
              claims_to_headers: { sub: "X-User" },
              cache,
            },
          });
          await api("POST", "/v1/routes", { name, paths: [`/${name}`], upstream: "bench", policies: [`${name}-only`] });
          planned.set(name, { headers: jwtHeaders });
        } catch (err) {
          planned.set(name, {
            headers: {},
            reason: `configuring ${name} failed: ${/** @type {Error} */ (err).message}`,
          });
        }
      }
    } else {
      const t0 = Date.now();
      const big = generateConfig(LARGE_TABLE_ROUTES);
      for (const u of big.upstreams) await api("POST", "/v1/upstreams", u);
      for (const p of big.policies) await api("POST", "/v1/policies", p);
      await pool(big.routes, 8, (r) => api("POST", "/v1/routes", r));
      ctx.log(`palisade-cp: seeded ${big.routes.length} routes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const published = await api("POST", "/v1/config/versions", { message: "bench" });
    ctx.log(`palisade-cp: published config version ${published?.version ?? "?"}`);

    // One data-plane node on the system-under-test CPU.
    const [listenPort, statusPort] = [await freePort(), await freePort()];
    const args = dataPlaneArgs({
      dpBin,
      nodeId: "bench-1",
      region: "bench",
      syncPort,
      listenPort,
      statusPort,
      stateDir: join(ctx.dir, `dp-state-${variant}`),
    });
    if (hasWorkers) args.push("--workers", "1");
    // BENCH_DP_NODE_ARGS: node flags for the data plane only (bench/profile.mjs: --cpu-prof, --trace-gc).
    const nodeArgs = (process.env.BENCH_DP_NODE_ARGS ?? "").split(" ").filter(Boolean);
    // One worker as a single process: node's heap flags come from NODE_OPTIONS, and the data-plane
    // README says to set the semi-space there as --workers N sets it for every worker it forks
    // (--semi-space-mib, default 8 MiB). Flags in BENCH_DP_NODE_ARGS come later and win.
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ""} --max-semi-space-size=8`.trim();
    dp = startProcess("palisade-dp", process.execPath, [...nodeArgs, ...args], {
      cpus: ctx.sutCpus,
      cwd: ctx.dir,
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
      onStdoutLine: ctx.onDpStdoutLine,
    });
    const dpProc = dp;
    await waitFor(
      "palisade-dp /readyz to answer 200",
      async () => {
        const r = await httpRequest(`http://127.0.0.1:${statusPort}/readyz`, { timeoutMs: 2000 });
        return r.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, process: dpProc },
    );

    const base = `http://127.0.0.1:${listenPort}`;
    const missingTypes = typesMissingFromChain(await bundledPolicyTypes(ctx.repoRoot));
    /** @type {Record<string, RouteState>} */
    const routes = {};
    for (const [name, plan] of planned) {
      if (plan.reason) {
        routes[name] = { reason: plan.reason };
        continue;
      }
      const url = `${base}/${name}`;
      try {
        // The waf route waits for the node's CRS compile (a few seconds on a busy machine).
        await waitServing(url, dpProc, plan.headers, name === "waf" ? 60_000 : 15_000);
      } catch (err) {
        routes[name] = {
          reason: `/${name} never answered 200 with the upstream body: ${/** @type {Error} */ (err).message}`,
        };
        continue;
      }
      if (name === "bare") {
        routes[name] = { url, headers: {}, notes: [] };
        continue;
      }
      routes[name] = {
        url,
        headers: plan.headers,
        notes:
          name === "full" && missingTypes.length
            ? [`policy types the data plane ships but bench/policies.mjs lacks: ${missingTypes.join(", ")}`]
            : [],
        // The policies must really run: no credential → refused; the identity header reaches the upstream.
        extraCheck: async () => {
          const anon = await httpRequest(url, { timeoutMs: 5000 });
          if (anon.status !== 401 && anon.status !== 403) {
            return `/${name} without credentials answered ${anon.status}: the jwt policy is not enforced`;
          }
          const ok = await httpRequest(url, { headers: plan.headers, timeoutMs: 5000 });
          if (ok.headers[SEEN_USER_HEADER] !== SUBJECT) {
            return `upstream did not receive X-User: ${SUBJECT} (claims_to_headers not applied)`;
          }
          if (name === "waf") {
            // The WAF must really run: an SQL injection is stopped; the benign request matched no rule.
            const attack = await httpRequest(`${url}?id=1%27%20OR%20%271%27%3D%271`, {
              headers: plan.headers,
              timeoutMs: 5000,
            });
            if (attack.status !== 403) return `/waf answered an SQL injection with ${attack.status}, not 403`;
            const events = JSON.parse(
              (await httpRequest(`http://127.0.0.1:${statusPort}/security-events`, { timeoutMs: 5000 })).body,
            );
            if ((events.counts?.waf_detected ?? 0) > 0)
              return `the benign request matched CRS rules (${events.counts.waf_detected} waf_detected events)`;
          }
          return undefined;
        },
      };
    }
    return { dpPid: dp.pid, routes, stop, api };
  } catch (err) {
    await stop();
    throw err;
  }
}
