#!/usr/bin/env node
// The compose fleet's one-shot bootstrap (deploy/compose/compose.yaml), run against the control
// plane's admin API once it is healthy:
//   1. writes the fleet CA certificate (GET /v1/fleet/ca) to $FLEET_DIR/fleet-ca.crt;
//   2. for each node of $FLEET_NODES (id=region,…) without a certificate yet, mints a single-use
//      join token bound to its id and region and writes it to $FLEET_DIR/join-tokens/<id>, where
//      the image's entrypoint finds it (PALISADE_JOIN_TOKEN_DIR);
//   3. seeds the demo: upstream demo-echo ($DEMO_UPSTREAM), a cluster-wide rate limit counted in
//      Redis ($DEMO_REDIS), route /echo, and publishes them (a second run changes nothing).
// Environment: PALISADE_ADMIN_URL, PALISADE_ADMIN_TOKEN, FLEET_DIR, FLEET_NODES, DEMO_UPSTREAM
// (host:port), DEMO_REDIS (host:port). Exit 0 done, 1 refused (the API's answer on stderr).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`bootstrap: ${name} is not set\n`);
    process.exit(1);
  }
  return v;
};
const adminUrl = env("PALISADE_ADMIN_URL");
const token = env("PALISADE_ADMIN_TOKEN");
const dir = env("FLEET_DIR");
const nodes = env("FLEET_NODES")
  .split(",")
  .map((pair) => pair.trim().split("="));
const hostPort = (name) => {
  const [host, port] = env(name).split(":");
  return { host, port: Number(port) };
};
const upstream = hostPort("DEMO_UPSTREAM");
const redis = hostPort("DEMO_REDIS");

async function api(method, path, body) {
  const res = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300 && res.status !== 404) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates the resource, or makes it exactly `body`. */
async function upsert(kind, body) {
  if ((await api("GET", `/v1/${kind}/${body.name}`)).status === 404) await api("POST", `/v1/${kind}`, body);
  else await api("PUT", `/v1/${kind}/${body.name}`, body);
}

try {
  mkdirSync(join(dir, "join-tokens"), { recursive: true });
  const ca = (await api("GET", "/v1/fleet/ca")).body.certificate_pem;
  writeFileSync(join(dir, "fleet-ca.crt"), ca);
  const known = new Set((await api("GET", "/v1/nodes")).body.items.map((n) => n.id));
  for (const [id, region] of nodes) {
    if (known.has(id)) continue; // joined before: it keeps its certificate in its own volume
    const minted = (await api("POST", "/v1/nodes/join-tokens", { region, node_id: id, ttl_s: 3600 })).body;
    writeFileSync(join(dir, "join-tokens", id), minted.token, { mode: 0o600 });
    process.stdout.write(`join token for ${id} (${region}) written\n`);
  }
  await upsert("upstreams", { name: "demo-echo", targets: [{ host: upstream.host, port: upstream.port }] });
  await upsert("policies", {
    name: "demo-rate-limit",
    type: "rate-limit",
    config: {
      limits: [{ requests: 100, per: "second" }],
      scope: "cluster",
      redis: { host: redis.host, port: redis.port },
    },
  });
  await upsert("routes", { name: "echo", paths: ["/echo"], upstream: "demo-echo", policies: ["demo-rate-limit"] });
  const published = (await api("POST", "/v1/config/versions", { message: "compose fleet: /echo" })).body;
  process.stdout.write(
    `config version ${published.version} ${published.created === false ? "unchanged" : "published"}\n`,
  );
} catch (err) {
  process.stderr.write(`bootstrap: ${err.message}\n`);
  process.exit(1);
}
