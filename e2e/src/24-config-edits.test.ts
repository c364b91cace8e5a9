/**
 * Issue 13 point 1: the edits an operator makes most must reach every node. Editing the only
 * route of a host made every one-worker node NACK with INTERNAL (its router update crashed on
 * the emptied host bucket) and keep the old routes, and the control plane never re-sent the
 * version. Here a real control plane and two real nodes — one with `--workers 1` (the
 * incremental apply path), one with `--workers 2` (workers compile whole snapshots) — take
 * each edit: editing a host's only route, deleting it and creating another on the same host,
 * renaming a host, moving a path between hosts, the same on a wildcard host and on a route for
 * any host. After each publish both nodes ACK the version with no NACK, and real requests
 * through each node show the new routes served and the old ones gone.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("config edits on hosts reach every node (one worker and several)", () => {
  const blue = new RecordingUpstream("blue");
  const green = new RecordingUpstream("green");
  let cp: ControlPlaneProcess;
  let one: DataPlaneProcess;
  let two: DataPlaneProcess;

  /** A route body for PUT/POST (PUT replaces the whole route). */
  const route = (name: string, hosts: string[], paths: string[], upstream = "blue") => ({
    name,
    hosts,
    paths,
    upstream,
  });

  /** Publishes the draft; waits until both nodes ACK it; checks neither refused anything. */
  async function publish(message: string): Promise<number> {
    const v = (await cp.ok("POST", "/v1/config/versions", { message })).version as number;
    const nodes = await cp.waitForNodes([one.nodeId, two.nodeId], v);
    for (const n of nodes) {
      assert.equal(n.last_nack, null, `${n.id} refused ${message}: ${JSON.stringify(n.last_nack)}`);
      assert.equal(n.in_sync, true);
    }
    for (const node of [one, two]) assert.equal(await node.appliedVersion(), v, `${node.nodeId} serves v${v}`);
    return v;
  }

  /**
   * What each node answers for `host` + `path`: the upstream that served it, or the status when
   * none did (404 ROUTE_NOT_FOUND).
   */
  async function served(host: string, path: string): Promise<string[]> {
    const out: string[] = [];
    for (const node of [one, two]) {
      const r = await node.request(path, { headers: { host } });
      out.push(r.status === 200 ? String(r.headers["x-upstream"]) : String(r.status));
    }
    return out;
  }

  /** Every node serves `host` + `path` from `upstream` (or answers `upstream` as a status). */
  async function expect(host: string, path: string, upstream: string): Promise<void> {
    assert.deepEqual(await served(host, path), [upstream, upstream], `${host}${path}`);
  }

  before(async () => {
    await blue.start();
    await green.start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "blue", targets: [{ host: "127.0.0.1", port: blue.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "green", targets: [{ host: "127.0.0.1", port: green.port }] });
    await cp.ok("POST", "/v1/routes", route("r1", ["h.example.test"], ["/a"]));
    const v = (await cp.ok("POST", "/v1/config/versions", { message: "r1 on h" })).version;
    one = await new DataPlaneProcess("edits-one", cp.syncPort, { extraArgs: ["--workers", "1"] }).start();
    two = await new DataPlaneProcess("edits-two", cp.syncPort, { extraArgs: ["--workers", "2"] }).start();
    await cp.waitForNodes([one.nodeId, two.nodeId], v);
    await expect("h.example.test", "/a", "blue");
  });

  after(async () => {
    await Promise.all([one?.destroy(), two?.destroy()]);
    await cp?.destroy();
    await blue.stop();
    await green.stop();
  });

  test("editing the only route of a host: the new path is served, the old one is gone", async () => {
    await cp.ok("PUT", "/v1/routes/r1", route("r1", ["h.example.test"], ["/b"]));
    await publish("r1: /a → /b");
    await expect("h.example.test", "/b", "blue");
    await expect("h.example.test", "/a", "404");
    // And again: an edit of the route the previous update built.
    await cp.ok("PUT", "/v1/routes/r1", route("r1", ["h.example.test"], ["/b", "/b2"], "green"));
    await publish("r1: + /b2, on green");
    await expect("h.example.test", "/b2/x", "green");
  });

  test("deleting the host's only route and creating another on the same host, in one publish", async () => {
    await cp.ok("DELETE", "/v1/routes/r1");
    await cp.ok("POST", "/v1/routes", route("r2", ["h.example.test"], ["/c"]));
    await publish("r1 → r2 on h");
    await expect("h.example.test", "/c", "blue");
    await expect("h.example.test", "/b", "404");
  });

  test("renaming a host: the new name is served, the old one no longer", async () => {
    await cp.ok("PUT", "/v1/routes/r2", route("r2", ["g.example.test"], ["/c"]));
    await publish("r2: h → g");
    await expect("g.example.test", "/c", "blue");
    await expect("h.example.test", "/c", "404");
  });

  test("moving a path between hosts", async () => {
    await cp.ok("POST", "/v1/routes", route("r3", ["h.example.test"], ["/m", "/x"], "green"));
    await publish("r3 on h");
    await expect("h.example.test", "/m", "green");
    await expect("g.example.test", "/m", "404");
    await cp.ok("PUT", "/v1/routes/r3", route("r3", ["h.example.test"], ["/x"], "green"));
    await cp.ok("PUT", "/v1/routes/r2", route("r2", ["g.example.test"], ["/c", "/m"]));
    await publish("/m: h → g");
    await expect("g.example.test", "/m", "blue");
    await expect("h.example.test", "/m", "404");
    await expect("h.example.test", "/x", "green");
  });

  test("the same edits on a wildcard host and on a route for any host", async () => {
    await cp.ok("POST", "/v1/routes", route("w", ["*.w.example.test"], ["/w"]));
    await cp.ok("POST", "/v1/routes", route("any", [], ["/any"], "green"));
    await publish("wildcard and any-host routes");
    await expect("a.w.example.test", "/w", "blue");
    await expect("elsewhere.test", "/any", "green");
    await cp.ok("PUT", "/v1/routes/w", route("w", ["*.w.example.test"], ["/w2"]));
    await cp.ok("PUT", "/v1/routes/any", route("any", [], ["/any2"], "green"));
    await publish("edit both");
    await expect("a.w.example.test", "/w2", "blue");
    await expect("a.w.example.test", "/w", "404");
    await expect("elsewhere.test", "/any2", "green");
    await expect("elsewhere.test", "/any", "404");
    await cp.ok("PUT", "/v1/routes/w", route("w", ["*.v.example.test"], ["/w2"]));
    await publish("rename the wildcard");
    await expect("a.v.example.test", "/w2", "blue");
    await expect("a.w.example.test", "/w2", "404");
  });
});
