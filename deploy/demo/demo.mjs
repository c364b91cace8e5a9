#!/usr/bin/env node
// `npm start`: the demo fleet on the embedded SQLite default.
//
// Starts a control plane (admin API 127.0.0.1:8001, sync 127.0.0.1:8005 over mTLS
// with the fleet CA in ./var/pki, SQLite in ./var), a demo upstream (echo,
// 127.0.0.1:9080), a demo identity provider serving a JWKS (127.0.0.1:9090), and
// two data-plane nodes in two regions (proxy 8000/8010, status 8100/8110). Each
// node joins the fleet once with a join token minted through the admin API and
// keeps its client certificate and last-known-good config in ./var/nodes/<id>.
// Seeds a route /echo protected by a JWT policy and a WAF policy (the bundled OWASP
// CRS at paranoia level 1, block mode), publishes it, waits for both
// nodes to ACK, then prints a demo token, the web admin's URL, the admin token
// and curl commands.
// Once the fleet is up, a process that exits is reported and the others keep running: kill
// the control plane and the nodes go on serving from their last-known-good config; type
// `r` and Enter to restart what exited, and the nodes resync. Ctrl-C stops every process it
// started. A second run reuses ./var (database, admin token, IdP key, node identities);
// PALISADE_DEMO_VAR_DIR moves it. PALISADE_DEMO_INSECURE=1 runs the sync
// port as plain gRPC instead (--sync-insecure on both sides).
//
// Every port can be changed with a flag (`npm start -- --admin-port 8101`) or an
// environment variable (PALISADE_DEMO_ADMIN_PORT=8101); `--help` lists them. The
// ports are checked before anything starts: a taken one is named with its flag.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { isAbsolute, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { echoHandler } from "./echo-upstream.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const varDir = process.env.PALISADE_DEMO_VAR_DIR ? resolve(process.env.PALISADE_DEMO_VAR_DIR) : join(root, "var");
const demoDir = join(varDir, "demo");
const logDir = join(varDir, "logs");

const HOST = "127.0.0.1";

/** A path as the demo prints it: relative to the checkout when inside it. */
function shown(path) {
  const rel = relative(root, path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** The demo's ports: flag, environment variable, default, what listens there. Pairs are node-a,node-b. */
const PORT_OPTIONS = [
  {
    flag: "admin-port",
    env: "PALISADE_DEMO_ADMIN_PORT",
    fallback: "8001",
    what: "control plane admin API and web admin",
  },
  { flag: "sync-port", env: "PALISADE_DEMO_SYNC_PORT", fallback: "8005", what: "control plane gRPC sync" },
  { flag: "upstream-port", env: "PALISADE_DEMO_UPSTREAM_PORT", fallback: "9080", what: "demo echo upstream" },
  { flag: "idp-port", env: "PALISADE_DEMO_IDP_PORT", fallback: "9090", what: "demo identity provider (JWKS)" },
  { flag: "proxy-ports", env: "PALISADE_DEMO_PROXY_PORTS", fallback: "8000,8010", what: "node-a,node-b proxy" },
  { flag: "tls-ports", env: "PALISADE_DEMO_TLS_PORTS", fallback: "8443,8453", what: "node-a,node-b HTTPS" },
  { flag: "status-ports", env: "PALISADE_DEMO_STATUS_PORTS", fallback: "8100,8110", what: "node-a,node-b status" },
];

/** Reads the ports from flags, then the environment, then the defaults (a flag wins). Exits 2 on a bad value. */
function readPorts() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        help: { type: "boolean" },
        ...Object.fromEntries(PORT_OPTIONS.map((o) => [o.flag, { type: "string" }])),
      },
    }));
  } catch (err) {
    process.stderr.write(`demo: ${err.message} (see --help)\n`);
    process.exit(2);
  }
  if (values.help) {
    const rows = PORT_OPTIONS.map(
      (o) => `  --${o.flag.padEnd(14)} ${o.env.padEnd(28)} ${o.fallback.padEnd(10)} ${o.what}`,
    );
    process.stdout.write(
      `npm start [-- options]: the demo fleet on 127.0.0.1. A flag wins over its environment variable.\n\n  flag             environment                  default    what\n${rows.join("\n")}\n\nPALISADE_DEMO_VAR_DIR moves the demo's state (database, keys, node identities, logs; default ./var).\n`,
    );
    process.exit(0);
  }
  const out = {};
  for (const o of PORT_OPTIONS) {
    const raw = values[o.flag] ?? process.env[o.env] ?? o.fallback;
    const from =
      values[o.flag] !== undefined ? `--${o.flag}` : process.env[o.env] !== undefined ? o.env : `--${o.flag}`;
    const parts = raw.split(",").map((p) => p.trim());
    const want = o.flag.endsWith("-ports") ? 2 : 1;
    const ports = parts.map(Number);
    if (parts.length !== want || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
      process.stderr.write(
        `demo: ${from}: ${JSON.stringify(raw)} is not ${want === 2 ? "two ports (node-a,node-b)" : "a port"} in 1-65535\n`,
      );
      process.exit(2);
    }
    out[o.flag] = want === 2 ? ports : ports[0];
  }
  return out;
}

const chosen = readPorts();
const PORTS = {
  admin: chosen["admin-port"],
  sync: chosen["sync-port"],
  upstream: chosen["upstream-port"],
  idp: chosen["idp-port"],
};
const NODES = [
  {
    id: "node-a",
    region: "eu-west",
    proxy: chosen["proxy-ports"][0],
    tls: chosen["tls-ports"][0],
    status: chosen["status-ports"][0],
  },
  {
    id: "node-b",
    region: "us-east",
    proxy: chosen["proxy-ports"][1],
    tls: chosen["tls-ports"][1],
    status: chosen["status-ports"][1],
  },
];

// Before anything is written or started: a taken port ends the demo here, naming its flag.
try {
  await checkPortsFree();
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
}
mkdirSync(demoDir, { recursive: true });
mkdirSync(logDir, { recursive: true });

/**
 * Checks every demo port can be bound on 127.0.0.1 before anything starts, so a taken port is
 * named with the flag that moves it (the processes started later would only log EADDRINUSE).
 */
async function checkPortsFree() {
  const all = [
    ...Object.entries(PORTS).map(([k, port]) => ({ port, flag: `--${k}-port` })),
    ...NODES.flatMap((n, i) =>
      ["proxy", "tls", "status"].map((k) => ({ port: n[k], flag: `--${k}-ports (${i === 0 ? "first" : "second"})` })),
    ),
  ];
  const seen = new Map();
  for (const { port, flag } of all) {
    if (seen.has(port)) throw new Error(`port ${port} is given twice (${seen.get(port)} and ${flag})`);
    seen.set(port, flag);
    const taken = await new Promise((resolve) => {
      const probe = createTcpServer();
      probe.once("error", (err) => resolve(err.code ?? err.message));
      probe.listen(port, HOST, () => probe.close(() => resolve(null)));
    });
    if (taken !== null)
      throw new Error(
        `port ${port} is ${taken === "EADDRINUSE" ? "in use" : `not usable (${taken})`}: is another demo running? ` +
          `Choose another with ${flag} (npm start -- ${flag.split(" ")[0]} …) or its PALISADE_DEMO_* variable (npm start -- --help)`,
      );
  }
}
const ISSUER = `http://${HOST}:${PORTS.idp}`;
const INSECURE = process.env.PALISADE_DEMO_INSECURE === "1";
const AUDIENCE = "palisade-demo";

/** Reads a demo secret from ./var/demo, creating it (mode 0600) on first run. */
function persisted(name, make) {
  const p = join(demoDir, name);
  if (!existsSync(p)) {
    writeFileSync(p, make(), { mode: 0o600 });
    chmodSync(p, 0o600);
  }
  return readFileSync(p, "utf8").trim();
}

const adminToken = persisted("admin-token", () => `pal_${randomBytes(32).toString("base64url")}`);
let idpKeyJson = existsSync(join(demoDir, "idp-key.json")) ? readFileSync(join(demoDir, "idp-key.json"), "utf8") : "";
if (!idpKeyJson) {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  idpKeyJson = JSON.stringify({ ...(await exportJWK(privateKey)), kid: "demo-1", alg: "RS256" });
  writeFileSync(join(demoDir, "idp-key.json"), idpKeyJson, { mode: 0o600 });
}
const idpPrivate = JSON.parse(idpKeyJson);
const { d, p, q, dp, dq, qi, ...idpPublic } = idpPrivate;
void [d, p, q, dp, dq, qi];

const children = [];
const servers = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nStopping the demo fleet…\n");
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill("SIGKILL"), 8000);
          c.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
  for (const s of servers) s.closeAllConnections?.();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
  process.stdout.write("Stopped.\n");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

function listen(server, port, what) {
  return new Promise((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `port ${port} (${what}) is in use: is another demo running? (npm start -- --help: the port flags)`
            : err.message,
        ),
      ),
    );
    server.listen(port, HOST, () => {
      servers.push(server);
      resolve();
    });
  });
}

/** True once the fleet is up: from then on an exited process is reported, not fatal. */
let up = false;

/**
 * Starts a built binary with its output in <var>/logs/<name>.log. Before the fleet is up, its
 * exit stops the demo (a start that fails is an error); afterwards the exit is reported and the
 * others keep running, so the control plane can be killed to watch the nodes serve on.
 */
function start(name, bin, args, env = {}) {
  const out = openSync(join(logDir, `${name}.log`), "a");
  const child = spawn(process.execPath, [join(root, bin), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
  });
  child.spec = { name, bin, args, env };
  child.on("exit", (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${name} exited (${code ?? signal}); see ${join(logDir, `${name}.log`)}\n`);
    if (!up) stopAll(1);
    else process.stdout.write(`The rest of the fleet keeps running. Type r and Enter to restart ${name}.\n`);
  });
  const at = children.findIndex((c) => c.spec.name === name);
  if (at >= 0) children[at] = child;
  else children.push(child);
  return child;
}

/**
 * Restarts every demo process that has exited, with its first arguments; a node that has
 * joined the fleet since keeps its identity, so its single-use join token is left out.
 */
function restartExited() {
  const exited = children.filter((c) => c.exitCode !== null || c.signalCode !== null);
  if (exited.length === 0) {
    process.stdout.write("Nothing has exited: every demo process is running.\n");
    return;
  }
  for (const c of exited) {
    const args = [...c.spec.args];
    const t = args.indexOf("--join-token");
    if (t >= 0) args.splice(t, 2);
    const p = start(c.spec.name, c.spec.bin, args, c.spec.env);
    process.stdout.write(`${c.spec.name} restarted (pid ${p.pid}).\n`);
  }
}

async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (see ${logDir})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function admin(method, path, body) {
  const r = await fetch(`http://${HOST}:${PORTS.admin}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300 && r.status !== 404) throw new Error(`${method} ${path} → ${r.status} ${text}`);
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates the resource, or makes it exactly `body` (resources that hold a demo port: it may have moved). */
async function upsert(kind, body) {
  if ((await admin("GET", `/v1/${kind}/${body.name}`)).status === 404) await admin("POST", `/v1/${kind}`, body);
  else await admin("PUT", `/v1/${kind}/${body.name}`, body);
}

try {
  // Demo upstream: echoes what it received.
  await listen(createServer(echoHandler), PORTS.upstream, "demo upstream");
  // Demo identity provider: serves its public key as a JWKS.
  await listen(
    createServer((req, res) => {
      if (req.url === "/.well-known/jwks.json") {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
        res.end(JSON.stringify({ keys: [{ ...idpPublic, use: "sig" }] }));
      } else res.writeHead(404).end();
    }),
    PORTS.idp,
    "demo identity provider",
  );

  start(
    "control-plane",
    "control-plane/dist/bin/palisade-cp.js",
    [
      "--db",
      join(varDir, "palisade.db"),
      "--admin-listen",
      `${HOST}:${PORTS.admin}`,
      "--sync-listen",
      `${HOST}:${PORTS.sync}`,
      ...(INSECURE ? ["--sync-insecure"] : []),
    ],
    { PALISADE_ADMIN_TOKEN: adminToken },
  );
  await until("the control plane", async () => (await fetch(`http://${HOST}:${PORTS.admin}/healthz`)).ok);

  await upsert("upstreams", { name: "demo-echo", targets: [{ host: HOST, port: PORTS.upstream }] });
  await upsert("policies", {
    name: "demo-jwt",
    type: "jwt",
    config: {
      jwks_url: `${ISSUER}/.well-known/jwks.json`,
      algorithms: ["RS256"],
      issuers: [ISSUER],
      audiences: [AUDIENCE],
      claims_to_headers: { sub: "X-User" },
    },
  });
  // The bundled OWASP CRS (rule set crs-<version>, the default), paranoia level 1, block mode.
  await upsert("policies", { name: "demo-waf", type: "waf", config: { mode: "block", paranoia_level: 1 } });
  await upsert("routes", { name: "echo", paths: ["/echo"], upstream: "demo-echo", policies: ["demo-jwt", "demo-waf"] });
  // Anomaly detection over the fleet in detect mode (issue 16): detections are security events,
  // nobody is blocked automatically (block by hand: palisadectl anomalies block address <ip>).
  await admin("PUT", "/v1/anomalies/config", { enabled: true, mode: "detect" });
  const published = (await admin("POST", "/v1/config/versions", { message: "demo: /echo behind JWT and the WAF" }))
    .body;

  // Node identity: the fleet CA certificate, and a single-use join token per node without a certificate yet.
  const caFile = join(demoDir, "fleet-ca.crt");
  if (!INSECURE) writeFileSync(caFile, (await admin("GET", "/v1/fleet/ca")).body.certificate_pem);
  for (const n of NODES) {
    const stateDir = join(varDir, "nodes", n.id);
    const hasIdentity = existsSync(join(stateDir, "identity", "node.crt"));
    const token =
      INSECURE || hasIdentity
        ? undefined
        : (await admin("POST", "/v1/nodes/join-tokens", { region: n.region, ttl_s: 600, node_id: n.id })).body.token;
    start(n.id, "data-plane/dist/bin/palisade-dp.js", [
      "--node-id",
      n.id,
      "--region",
      n.region,
      "--control-plane",
      `localhost:${PORTS.sync}`,
      "--listen",
      `${HOST}:${n.proxy}`,
      "--tls-listen",
      `${HOST}:${n.tls}`,
      "--status-listen",
      `${HOST}:${n.status}`,
      "--state-dir",
      stateDir,
      ...(INSECURE ? ["--sync-insecure"] : ["--ca-cert", caFile]),
      ...(token ? ["--join-token", token] : []),
    ]);
  }
  await until(
    "both nodes to ACK",
    async () => {
      const nodes = (await admin("GET", "/v1/nodes")).body.items;
      return NODES.every((n) =>
        nodes.some((x) => x.id === n.id && x.connected && x.applied_version === published.version),
      );
    },
    // A node's first apply compiles the OWASP CRS (about a second on an idle core; a busy machine takes longer).
    120_000,
  );

  const key = await importJWK(idpPrivate, "RS256");
  const token = await new SignJWT({ scope: "demo" })
    .setProtectedHeader({ alg: "RS256", kid: idpPrivate.kid, typ: "JWT" })
    .setSubject("demo-user")
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("12h")
    .sign(key);

  const lines = [
    "",
    "Palisade demo fleet is up.",
    `  control plane   admin API http://${HOST}:${PORTS.admin}   sync ${HOST}:${PORTS.sync} (${INSECURE ? "INSECURE plain gRPC" : `mTLS, fleet CA ${shown(join(varDir, "pki"))}`})   db ${shown(join(varDir, "palisade.db"))}`,
    ...NODES.map(
      (n) => `  ${n.id} (${n.region})  proxy http://${HOST}:${n.proxy}   status http://${HOST}:${n.status}/config`,
    ),
    `  config version ${published.version} is applied on both nodes (logs in ${shown(logDir)})`,
    "",
    `Web admin: http://${HOST}:${PORTS.admin}/   (sign in with the admin token)`,
    `Admin token: ${adminToken}`,
    `Demo token (sub=demo-user, valid 12 h): ${token}`,
    "",
    "Try (200 from each node, 401 without a token, 403 WAF_BLOCKED for an SQL injection, the fleet through the admin API):",
    `curl -s -H "Authorization: Bearer ${token}" http://${HOST}:${NODES[0].proxy}/echo/hello`,
    `curl -s -H "Authorization: Bearer ${token}" http://${HOST}:${NODES[1].proxy}/echo/hello`,
    `curl -s -i http://${HOST}:${NODES[0].proxy}/echo/hello`,
    // An attack stopped by the WAF (CRS 942100 at paranoia level 1): 403 with the event id.
    `curl -s -i -H "Authorization: Bearer ${token}" "http://${HOST}:${NODES[0].proxy}/echo/search?q=1%27%20OR%20%271%27%3D%271"`,
    `curl -s -H "Authorization: Bearer ${adminToken}" http://${HOST}:${PORTS.admin}/v1/nodes`,
    "",
    "Anomaly detection runs over both nodes in detect mode. A brute force spread over both (60 failed logins), then",
    "the detection (the control plane's fleet view; about 10 s) as a security event and on the web admin's Anomalies page:",
    `for i in $(seq 30); do for p in ${NODES.map((n) => n.proxy).join(" ")}; do curl -s -o /dev/null http://${HOST}:$p/echo/login; done; done`,
    `curl -s -H "Authorization: Bearer ${adminToken}" "http://${HOST}:${PORTS.admin}/v1/security-events?category=anomaly"`,
    "",
    "The design's main property: the nodes keep serving when the control plane dies. Try",
    `kill -9 ${children.find((c) => c.spec.name === "control-plane").pid}   (the control plane; the curls above still answer from each node's last-known-good config)`,
    "then type r and Enter here to restart it: the nodes reconnect and resync.",
    "",
    "Ctrl-C stops the fleet.",
    "",
  ];
  up = true;
  process.stdout.write(lines.join("\n"));
  createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
    if (line.trim() === "r") restartExited();
  });
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  await stopAll(1);
}
