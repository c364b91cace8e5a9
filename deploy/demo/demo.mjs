#!/usr/bin/env node
// `npm start`: the demo fleet on the embedded SQLite default.
//
// Starts a control plane (admin API 127.0.0.1:8001, sync 127.0.0.1:8005 over mTLS
// with the fleet CA in ./var/pki, SQLite in ./var), a demo upstream (echo,
// 127.0.0.1:9080), a demo identity provider serving a JWKS (127.0.0.1:9090), and
// two data-plane nodes in two regions (proxy 8000/8010, status 8100/8110). Each
// node joins the fleet once with a join token minted through the admin API and
// keeps its client certificate and last-known-good config in ./var/nodes/<id>.
// Seeds a route /echo protected by a JWT policy, publishes it, waits for both
// nodes to ACK, then prints a demo token, the web admin's URL, the admin token
// and curl commands.
// Ctrl-C stops every process it started. A second run reuses ./var (database,
// admin token, IdP key, node identities). PALISADE_DEMO_INSECURE=1 runs the sync
// port as plain gRPC instead (--sync-insecure on both sides).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

const root = fileURLToPath(new URL("../..", import.meta.url));
const varDir = join(root, "var");
const demoDir = join(varDir, "demo");
const logDir = join(varDir, "logs");
mkdirSync(demoDir, { recursive: true });
mkdirSync(logDir, { recursive: true });

const HOST = "127.0.0.1";
const PORTS = { admin: 8001, sync: 8005, upstream: 9080, idp: 9090 };
const NODES = [
  { id: "node-a", region: "eu-west", proxy: 8000, tls: 8443, status: 8100 },
  { id: "node-b", region: "us-east", proxy: 8010, tls: 8453, status: 8110 },
];
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
          err.code === "EADDRINUSE" ? `port ${port} (${what}) is in use: is another demo running?` : err.message,
        ),
      ),
    );
    server.listen(port, HOST, () => {
      servers.push(server);
      resolve();
    });
  });
}

/** Starts a built binary with its output in ./var/logs/<name>.log. */
function start(name, bin, args, env = {}) {
  const out = openSync(join(logDir, `${name}.log`), "a");
  const child = spawn(process.execPath, [join(root, bin), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${code ?? signal}); see var/logs/${name}.log\n`);
      stopAll(1);
    }
  });
  children.push(child);
  return child;
}

async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (see var/logs/)`);
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

/** Creates the resource unless one with that name exists (a second run keeps the first run's data). */
async function ensure(kind, body) {
  if ((await admin("GET", `/v1/${kind}/${body.name}`)).status === 404) await admin("POST", `/v1/${kind}`, body);
}

try {
  // Demo upstream: echoes what it received.
  await listen(
    createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          `${JSON.stringify({ upstream: "demo-echo", method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }, null, 2)}\n`,
        );
      });
    }),
    PORTS.upstream,
    "demo upstream",
  );
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

  await ensure("upstreams", { name: "demo-echo", targets: [{ host: HOST, port: PORTS.upstream }] });
  await ensure("policies", {
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
  await ensure("routes", { name: "echo", paths: ["/echo"], upstream: "demo-echo", policies: ["demo-jwt"] });
  const published = (await admin("POST", "/v1/config/versions", { message: "demo: /echo behind JWT" })).body;

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
  await until("both nodes to ACK", async () => {
    const nodes = (await admin("GET", "/v1/nodes")).body.items;
    return NODES.every((n) =>
      nodes.some((x) => x.id === n.id && x.connected && x.applied_version === published.version),
    );
  });

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
    `  control plane   admin API http://${HOST}:${PORTS.admin}   sync ${HOST}:${PORTS.sync} (${INSECURE ? "INSECURE plain gRPC" : "mTLS, fleet CA var/pki"})   db var/palisade.db`,
    ...NODES.map(
      (n) => `  ${n.id} (${n.region})  proxy http://${HOST}:${n.proxy}   status http://${HOST}:${n.status}/config`,
    ),
    `  config version ${published.version} is applied on both nodes (logs in var/logs/)`,
    "",
    `Web admin: http://${HOST}:${PORTS.admin}/   (sign in with the admin token)`,
    `Admin token: ${adminToken}`,
    `Demo token (sub=demo-user, valid 12 h): ${token}`,
    "",
    "Try (200 from each node, 401 without a token, the fleet through the admin API):",
    `curl -s -H "Authorization: Bearer ${token}" http://${HOST}:${NODES[0].proxy}/echo/hello`,
    `curl -s -H "Authorization: Bearer ${token}" http://${HOST}:${NODES[1].proxy}/echo/hello`,
    `curl -s -i http://${HOST}:${NODES[0].proxy}/echo/hello`,
    `curl -s -H "Authorization: Bearer ${adminToken}" http://${HOST}:${PORTS.admin}/v1/nodes`,
    "",
    "Ctrl-C stops the fleet.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  await stopAll(1);
}
