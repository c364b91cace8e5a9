/**
 * Node identity on the sync port (mTLS): the control plane is the fleet CA; a node joins once
 * with a single-use, region-bound token, gets a client certificate, renews it, and is refused
 * once revoked. A caller without a certificate the fleet CA signed cannot open a stream.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { codecFor, STREAM_CONFIG_PATH, StreamConfigRequestSchema, StreamConfigResponseSchema } from "@palisade/proto";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

/** Opens StreamConfig with the given credentials and says hello; resolves with the stream's end status. */
function streamStatus(port: number, creds: grpc.ChannelCredentials): Promise<grpc.StatusObject> {
  const client = new grpc.Client(`localhost:${port}`, creds);
  const req = codecFor(StreamConfigRequestSchema);
  const res = codecFor(StreamConfigResponseSchema);
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(STREAM_CONFIG_PATH, req.serialize, res.deserialize);
    call.on("data", () => {});
    call.on("error", () => {});
    call.on("status", (s) => {
      client.close();
      resolve(s);
    });
    call.write(create(StreamConfigRequestSchema, { kind: { case: "hello", value: { nodeId: "intruder" } } }));
  });
}

describe("node identity: join tokens, client certificates, renewal, revocation", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let ca: string;
  const nodes: DataPlaneProcess[] = [];
  const node = (id: string, opts: ConstructorParameters<typeof DataPlaneProcess>[2] = {}) => {
    const n = new DataPlaneProcess(id, cp.syncPort, { insecure: false, caCert: ca, ...opts });
    nodes.push(n);
    return n;
  };

  before(async () => {
    upstream = await new RecordingUpstream("mtls-upstream").start();
    // Short certificates so that renewal happens within the test (nodes renew at 2/3 of the lifetime).
    cp = await new ControlPlaneProcess(undefined, { mtls: true, extraArgs: ["--node-cert-ttl", "45"] }).start();
    ca = await cp.caCertFile();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "echo" });
    await cp.ok("POST", "/v1/config/versions", { message: "v1" });
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
    await cp?.destroy();
    await upstream?.stop();
  });

  test("a node joins with a token, gets a certificate bound to its id and region, and syncs", async () => {
    const token = await cp.joinToken("eu-west");
    const n = await node("edge-1", { joinToken: token }).start();
    const [row] = await cp.waitForNodes([n.nodeId], 1);
    assert.equal(row.region, "eu-west");
    assert.match(row.certificate.serial, /^[0-9A-F]+$/);
    assert.equal((await n.get("/r/x")).status, 200);
    const key = readFileSync(join(n.stateDir, "identity", "node.key"), "utf8");
    assert.match(key, /BEGIN PRIVATE KEY/);
    const tokens = (await cp.ok("GET", "/v1/nodes/join-tokens")).items as any[];
    assert.equal(tokens[0].used_by, "edge-1");
    assert.ok(!JSON.stringify(tokens).includes(token), "the token itself is never listed");
  });

  test("a join token works once", async () => {
    const token = await cp.joinToken("eu-west");
    await node("edge-2", { joinToken: token }).start();
    await cp.waitForNodes(["edge-2"], 1);
    const again = node("edge-3", { joinToken: token }).spawn();
    const code = await new Promise((r) => again.child.once("exit", r));
    assert.equal(code, 1);
    assert.match(again.output(), /already used/);
    assert.equal((await cp.api("GET", "/v1/nodes/edge-3")).status, 404);
  });

  test("a token is bound to its region", async () => {
    const token = await cp.joinToken("us-east");
    const p = node("edge-4", { joinToken: token, region: "eu-west" }).spawn();
    assert.equal(await new Promise((r) => p.child.once("exit", r)), 1);
    assert.match(p.output(), /token is for region us-east/);
  });

  test("without a certificate the fleet CA signed, a stream is refused", async () => {
    const caPem = readFileSync(ca);
    const noCert = await streamStatus(cp.syncPort, grpc.credentials.createSsl(caPem));
    assert.equal(noCert.code, grpc.status.UNAUTHENTICATED);
    assert.match(noCert.details, /client certificate/);
    // A node without identity and without a token does not start its stream at all.
    const p = node("edge-5").spawn();
    assert.equal(await new Promise((r) => p.child.once("exit", r)), 1);
    assert.match(p.output(), /no valid client certificate/);
    assert.equal((await cp.api("GET", "/v1/nodes/intruder")).status, 404);
  });

  test("a certificate names one node: another node id with it is refused", async () => {
    const edge1 = nodes[0]!;
    const imposter = node("imposter", { stateDir: join(cp.dir, "imposter-state") });
    cpSync(join(edge1.stateDir, "identity"), join(imposter.stateDir, "identity"), { recursive: true });
    await imposter.start();
    await imposter.proc.waitForLine((l) => l.includes("refused this node"), "refusal");
    assert.match(imposter.proc.output(), /does not match the client certificate/);
    assert.equal((await cp.api("GET", "/v1/nodes/imposter")).status, 404);
  });

  test("a node renews its certificate before expiry and stays connected", async () => {
    const edge1 = nodes[0]!;
    const first = (await cp.ok("GET", "/v1/nodes/edge-1")).certificate.serial;
    const renewed = await eventually(
      "a renewed certificate",
      async () => {
        const n = await cp.ok("GET", "/v1/nodes/edge-1");
        return n.status === "connected" && n.certificate.serial !== first ? n : undefined;
      },
      60_000,
    );
    assert.ok(Date.parse(renewed.certificate.not_after) > Date.now());
    await edge1.proc.waitForLine((l) => l.includes("node certificate renewed"), "renewal log");
    assert.equal((await edge1.get("/r/after-renewal")).status, 200);
  });

  test("revoking a node ends its stream and it is refused from then on; delete forgets it", async () => {
    const edge2 = nodes[1]!;
    const r = await cp.ok("POST", "/v1/nodes/edge-2/revoke");
    assert.equal(r.status, "revoked");
    await eventually("edge-2 sees the stream down", async () =>
      (await http(edge2.statusPort, "/config")).json().control_plane === "disconnected" ? true : undefined,
    );
    await edge2.proc.waitForLine((l) => l.includes("refused this node"), "refusal log");
    await cp.ok("PUT", "/v1/routes/r", { name: "r", paths: ["/r", "/r2"], upstream: "echo" });
    await cp.ok("POST", "/v1/config/versions", { message: "v2" });
    await cp.waitForNodes(["edge-1"], 2);
    assert.equal(await edge2.appliedVersion(), 1, "a revoked node gets no new version");
    assert.equal((await cp.ok("GET", "/v1/nodes/edge-2")).status, "revoked");
    assert.equal((await cp.api("DELETE", "/v1/nodes/edge-1")).status, 204);
    assert.equal((await cp.api("GET", "/v1/nodes/edge-1")).status, 404);
    const edge1 = nodes[0]!;
    await eventually("edge-1 disconnected", async () =>
      (await http(edge1.statusPort, "/config")).json().control_plane === "disconnected" ? true : undefined,
    );
  });
});
