import assert from "node:assert/strict";
import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { test } from "node:test";
import { pino } from "pino";
import { IdentityStore } from "../store/identity-store.js";
import { Store } from "../store/store.js";
import { FleetCa } from "./fleet-ca.js";
import { joinProofMessage, NodeIdentity, renewProofMessage } from "./node-identity.js";

const log = pino({ level: "silent" });

async function setup() {
  const store = await Store.open(":memory:");
  const ca = await FleetCa.open(undefined);
  const ids = new NodeIdentity(ca, new IdentityStore(store), store, { certTtlMs: 3_600_000 }, log);
  return { store, ca, ids };
}

function key() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { der: publicKey.export({ type: "spki", format: "der" }), privateKey };
}

const joinReq = (token: string, nodeId: string, region: string, k = key()) => ({
  token,
  nodeId,
  region,
  publicKey: k.der,
  proof: sign("sha256", Buffer.from(joinProofMessage(nodeId, token)), k.privateKey),
});

test("a join token gives one certificate naming the node and the token's region, then is spent", async () => {
  const { ca, ids, store } = await setup();
  const t = await ids.mint("eu-west", 600);
  assert.match(t.token, /^pjt_/);
  assert.equal(JSON.stringify(await store.db.all("SELECT * FROM join_tokens")).includes(t.token), false);
  const got = await ids.join(joinReq(t.token, "edge-1", "eu-west"));
  const cert = new X509Certificate(got.certPem);
  assert.match(cert.subject, /CN=edge-1/);
  assert.match(cert.subject, /OU=eu-west/);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  await ids.checkCertificate(cert.serialNumber);
  await assert.rejects(ids.join(joinReq(t.token, "edge-2", "eu-west")), { status: "UNAUTHENTICATED" });
});

test("a token is refused for another region, when expired, with a bad proof, or for a revoked node", async () => {
  const { ids } = await setup();
  const t = await ids.mint("us-east", 600);
  await assert.rejects(ids.join(joinReq(t.token, "n", "eu-west")), { status: "PERMISSION_DENIED" });
  const bad = { ...joinReq(t.token, "n", "us-east"), proof: new Uint8Array(70) };
  await assert.rejects(ids.join(bad), { status: "INVALID_ARGUMENT" });
  const expired = await ids.mint("us-east", 1);
  await new Promise((r) => setTimeout(r, 1100));
  await assert.rejects(ids.join(joinReq(expired.token, "n", "us-east")), { message: /expired/ });
  await assert.rejects(ids.join(joinReq("pjt_unknown-token-value", "n", "us-east")), { status: "UNAUTHENTICATED" });
  // Still unused after the refusals: the right node in the right region gets it.
  const ok = await ids.join(joinReq(t.token, "n", "us-east"));
  await ids.revoke("n");
  await assert.rejects(ids.checkCertificate(new X509Certificate(ok.certPem).serialNumber), {
    status: "PERMISSION_DENIED",
  });
  const again = await ids.mint("us-east", 600);
  await assert.rejects(ids.join(joinReq(again.token, "n", "us-east")), { message: /revoked/ });
});

test("renewal issues a new certificate for a new key, proven by the holder", async () => {
  const { ids } = await setup();
  const t = await ids.mint("eu", 600);
  const first = new X509Certificate((await ids.join(joinReq(t.token, "r1", "eu"))).certPem);
  const k = key();
  const peer = { nodeId: "r1", region: "eu", serial: first.serialNumber };
  const proof = sign("sha256", Buffer.from(renewProofMessage("r1", first.serialNumber)), k.privateKey);
  const renewed = new X509Certificate((await ids.renew(peer, k.der, proof)).certPem);
  assert.notEqual(renewed.serialNumber, first.serialNumber);
  assert.match(renewed.subject, /CN=r1/);
  await assert.rejects(ids.renew(peer, key().der, proof), { status: "INVALID_ARGUMENT" });
});
