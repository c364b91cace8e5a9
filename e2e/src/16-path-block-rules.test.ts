/**
 * Case C39 (APISIX CVE-2021-43557: a URI block rule matched the raw URI while routing
 * normalized it): a route-level deny on `/protected-service` (an `ip-restriction` that refuses
 * every address), an open `/public-service` and an open catch-all that reads paths the most
 * permissive way (merged slashes, encoded slashes), all on a real palisade-dp. Every spelling of
 * `/public-service/../protected-service/protected` — dot segments in any encoding, encoded and
 * doubled slashes, backslashes, `;` parameters, case, trailing dots and spaces that Windows
 * drops, Unicode that an upstream folds into ASCII — is refused (400) or meets the deny rule
 * (403); the protected upstream reads nothing and the open upstream reads none of them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { rawRequest, sendRaw } from "./harness/raw-client.js";
import { RawRecordingUpstream } from "./harness/raw-upstream.js";

const HOST: [string, string] = ["Host", "api.example.test"];

/** The case's spelling, its variants, and the rest of each class (grouped by what they try). */
const SPELLINGS: Record<string, string[]> = {
  "the case and its variants": [
    "/public-service/../protected-service/protected",
    "/public-service/%2e%2e/protected-service/protected",
    "/protected-service%2Fprotected",
    "//protected-service/protected",
    "/Protected-Service/protected",
  ],
  "dot segments in other encodings": [
    "/public-service/%2E%2E/protected-service/protected",
    "/public-service/.%2e/protected-service/protected",
    "/public-service/%2e./protected-service/protected",
    "/public-service/%252e%252e/protected-service/protected",
    "/public-service/%c0%ae%c0%ae/protected-service/protected",
    "/public-service/%e0%80%ae%e0%80%ae/protected-service/protected",
    "/public-service/./../protected-service/protected",
    "/public-service/x/../../protected-service/protected",
    "/public-service/../../../protected-service/protected",
    "/./protected-service/protected",
    "/protected-service/protected/.",
    "/public-service/..",
  ],
  "encoded and doubled slashes": [
    "/protected-service%2fprotected",
    "/public-service%2F..%2Fprotected-service/protected",
    "/public-service/..%2Fprotected-service/protected",
    "/public-service/%2e%2e%2fprotected-service/protected",
    "/public-service%2F%2E%2E%2Fprotected-service%2Fprotected",
    "///protected-service/protected",
    "/public-service//../protected-service/protected",
    "/protected-service%252Fprotected",
  ],
  backslashes: [
    "/public-service\\..\\protected-service\\protected",
    "/public-service/..\\protected-service/protected",
    "/public-service/..%5cprotected-service/protected",
    "/public-service/..%5Cprotected-service/protected",
    "/protected-service%5Cprotected",
  ],
  "path parameters and other delimiters": [
    "/public-service/..;/protected-service/protected",
    "/public-service;x=1/../protected-service/protected",
    "/protected-service;/protected",
    "/protected-service;jsessionid=1/protected",
    "/protected-service%3B/protected",
    "/protected-service%3F/protected",
    "/protected-service%23/protected",
    "/protected-service%00/protected",
    "/protected-service%09/protected",
    "/protected-service%0d%0a/protected",
  ],
  case: [
    "/PROTECTED-SERVICE/protected",
    "/pRoTeCtEd-SeRvIcE/protected",
    "/%50rotected-service/protected",
    "/%70rotected-service/protected",
    "/protected-servic%45/protected",
  ],
  "trailing dots and spaces (dropped by Windows, IIS, .NET)": [
    "/protected-service./protected",
    "/protected-service%2e/protected",
    "/protected-service../protected",
    "/protected-service%20/protected",
    "/public-service/.../protected-service/protected",
    "/public-service/..%20/protected-service/protected",
    "/public-service/..%2e/protected-service/protected",
  ],
  "Unicode an upstream folds into ASCII": [
    "/protected-%c5%bfervice/protected",
    "/protected-serv%c4%b1ce/protected",
    "/%ef%bd%90rotected-service/protected",
    "/public-service/..%ef%bc%8fprotected-service/protected",
    "/public-service/%ef%bc%8e%ef%bc%8e/protected-service/protected",
    "/protected-service%ef%bc%8fprotected",
    "/protected-service%e2%88%95protected",
    "/public-service/..%e2%88%96protected-service/protected",
    "/public-service/..%c0%afprotected-service/protected",
  ],
  "absolute form": [
    "http://api.example.test/public-service/../protected-service/protected",
    "http://api.example.test/Protected-Service/protected",
    "http://api.example.test//protected-service/protected",
  ],
};

describe("C39: a route-level deny holds for every spelling of the protected path", () => {
  let open: RawRecordingUpstream;
  let guarded: RawRecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    open = await new RawRecordingUpstream("public").start();
    guarded = await new RawRecordingUpstream("protected").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "open", targets: [{ host: "127.0.0.1", port: open.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "guarded", targets: [{ host: "127.0.0.1", port: guarded.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "deny-all",
      type: "ip-restriction",
      config: { deny: ["0.0.0.0/0", "::/0"] },
    });
    await cp.ok("POST", "/v1/routes", {
      name: "protected",
      paths: ["/protected-service"],
      upstream: "guarded",
      policies: ["deny-all"],
    });
    await cp.ok("POST", "/v1/routes", { name: "public", paths: ["/public-service"], upstream: "open" });
    // The most permissive reading any route may ask for: the node reads every path this way.
    await cp.ok("POST", "/v1/routes", {
      name: "catch-all",
      paths: ["/"],
      upstream: "open",
      merge_slashes: true,
      allow_encoded_slashes: true,
    });
    await cp.ok("POST", "/v1/config/versions", { message: "C39" });
    dp = await new DataPlaneProcess("node-c39", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await open?.stop();
    await guarded?.stop();
  });

  test("C39: the deny rule applies and the open routes still serve their own paths", async () => {
    const get = async (t: string) =>
      (await sendRaw(dp.proxyPort, rawRequest("GET", t, [HOST]), { responses: 1 })).responses[0];
    const denied = await get("/protected-service/protected");
    assert.equal(denied?.status, 403);
    assert.equal(denied?.json().error.code, "IP_FORBIDDEN");
    assert.equal((await get("/public-service/x"))?.status, 200);
    assert.equal((await get("/caf%C3%A9/menu.html"))?.status, 200, "ordinary UTF-8 still passes");
    assert.deepEqual(
      open.requests.map((r) => r.target),
      ["/public-service/x", "/caf%C3%A9/menu.html"],
    );
    assert.equal(guarded.requests.length, 0);
  });

  for (const [kind, targets] of Object.entries(SPELLINGS)) {
    test(`C39 ${kind}: refused (400) or denied (403), never forwarded`, async () => {
      open.clear();
      for (const target of targets) {
        const r = await sendRaw(dp.proxyPort, rawRequest("GET", target, [HOST]), { responses: 1 });
        const status = r.responses[0]?.status;
        assert.ok(status === 400 || status === 403, `${target}: ${status} ${r.bytes.toString("latin1").slice(0, 300)}`);
        assert.match(r.responses[0]!.json().error.code, /^(PATH_INVALID|BAD_REQUEST|IP_FORBIDDEN)$/, target);
      }
      assert.deepEqual(
        guarded.requests.map((r) => r.target),
        [],
        "the protected upstream read nothing",
      );
      assert.deepEqual(
        open.requests.map((r) => r.target),
        [],
        "no spelling reached an open route either",
      );
    });
  }
});
