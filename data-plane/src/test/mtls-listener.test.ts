// Multi-module test: the mtls policy behind the real HTTPS listener. The SNI table asks for a
// client certificate only on mTLS names (exact, wildcard, and an exact mTLS name that only a
// wildcard certificate serves), OpenSSL verifies it against that name's CAs, and the policy
// decides per request over HTTP/1.1 and HTTP/2. Certificates come from openssl.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect as h2connect } from "node:http2";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { MtlsPolicySchema, PolicySchema } from "@palisade/proto";
import { ClientCa, type ClientPem } from "@palisade/test-support";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { listen } from "../listen.js";
import { BUNDLED_POLICY_TYPES } from "../policies/registry.js";
import { ProxyServer } from "../proxy/proxy-server.js";
import { TlsListener } from "../proxy/tls-listener.js";
import { SecureContextCache } from "../tls/compile-certificates.js";
import { PoolManager } from "../upstream/pool-manager.js";
import { certificate, log, route, snapshot, upstream } from "./fixtures.js";

const ca = new ClientCa("mTLS Test CA");
const other = new ClientCa("Other CA");
const serverPair = ca.server(["m.test", "p.test"]);
const wildPair = ca.server(["*.wild.test"]);
const good = ca.issue({ subject: "/CN=svc-a" });
const foreign = other.issue({ subject: "/CN=svc-a" });
const otherGood = other.issue({ subject: "/CN=svc-b" });

const seen: IncomingHttpHeaders[] = [];
let upstreamServer: Server;
let holder: TableHolder;
let pools: PoolManager;
let proxy: ProxyServer;
let tls: TlsListener;
let port = 0;
const contexts = new SecureContextCache();

const mtls = (id: string, caPem: string) =>
  create(PolicySchema, {
    id,
    name: id,
    config: { case: "mtls", value: create(MtlsPolicySchema, { caPem, subjectHeader: "X-Client-Subject" }) },
  });

before(async () => {
  upstreamServer = createServer((req, res) => {
    seen.push(req.headers);
    res.end("ok");
  });
  await new Promise<void>((r) => upstreamServer.listen(0, "127.0.0.1", r));
  const up = (upstreamServer.address() as AddressInfo).port;
  pools = new PoolManager();
  holder = new TableHolder((t) => {
    pools.retain(t.poolKeys);
    contexts.retain(t.tlsContextKeys);
  });
  holder.swap(
    compile(
      snapshot({
        upstreams: [upstream("echo", [`127.0.0.1:${up}`])],
        policies: [mtls("m-ca", ca.certPem), mtls("m-other", other.certPem)],
        routes: [
          route("secure", "echo", ["/"], { hosts: ["m.test"], policyIds: ["m-ca"] }),
          route("wild", "echo", ["/"], { hosts: ["*.wild.test"], policyIds: ["m-ca"] }),
          // An exact mTLS name that only the wildcard certificate serves, with another CA.
          route("special", "echo", ["/"], { hosts: ["special.wild.test"], policyIds: ["m-other"] }),
          route("public", "echo", ["/"]),
        ],
        certificates: [
          certificate("main", ["m.test", "p.test"], serverPair),
          certificate("wild", ["*.wild.test"], wildPair),
        ],
      }),
      { policyTypes: new Set(BUNDLED_POLICY_TYPES), tlsContexts: contexts },
    ),
  );
  proxy = new ProxyServer({ holder, pools, log });
  tls = new TlsListener({ holder, http1: (s) => proxy.accept(s), http2: () => proxy.h2, log });
  port = (await listen(tls.server, { host: "127.0.0.1", port: 0 }, "tls", log)).port;
});

after(async () => {
  const closed = tls.close();
  await proxy.close(1000);
  tls.destroyConnections();
  await closed;
  await pools.close(1000);
  upstreamServer.closeAllConnections();
  await new Promise<void>((r) => upstreamServer.close(() => r()));
  ca.dispose();
  other.dispose();
});

/** HTTPS/1.1 GET with SNI `servername` and `Host` `host`, optionally with a client certificate. */
function https1(servername: string, client?: ClientPem, host = servername) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const options = {
      host: "127.0.0.1",
      port,
      path: "/",
      servername,
      headers: { host },
      ca: ca.certPem,
      ALPNProtocols: ["http/1.1"],
      agent: false,
      ...(client !== undefined ? { cert: client.certPem, key: client.keyPem } : {}),
    } as RequestOptions;
    const req = httpsRequest(options, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** HTTP/2 GETs on one session with SNI `servername`; `:authority` per request. */
async function h2(servername: string, authorities: string[], client?: ClientPem) {
  const session = h2connect(`https://127.0.0.1:${port}`, {
    servername,
    ca: ca.certPem,
    ...(client !== undefined ? { cert: client.certPem, key: client.keyPem } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    const out: number[] = [];
    for (const authority of authorities) {
      const stream = session.request({ ":method": "GET", ":path": "/", ":authority": authority });
      const headers = await new Promise<Record<string, unknown>>((resolve) =>
        stream.once("response", (h) => resolve(h as Record<string, unknown>)),
      );
      for await (const _ of stream);
      out.push(headers[":status"] as number);
    }
    return out;
  } finally {
    session.close();
  }
}

/** What `openssl s_client` reports about the server's CertificateRequest for `servername`. */
function certificateRequested(servername: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "openssl",
      ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", servername],
      (err, stdout) => {
        if (stdout.includes("Acceptable client certificate CA names")) resolve(true);
        else if (stdout.includes("No client certificate CA names sent")) resolve(false);
        else reject(err ?? new Error(`unexpected s_client output: ${stdout}`));
      },
    );
    child.stdin?.end();
  });
}

test("an mTLS name asks for a client certificate at the handshake; other names never do", async () => {
  assert.equal(await certificateRequested("m.test"), true);
  assert.equal(await certificateRequested("a.wild.test"), true, "a wildcard certificate on an mTLS wildcard");
  assert.equal(await certificateRequested("special.wild.test"), true);
  assert.equal(await certificateRequested("p.test"), false, "the same certificate on a public name");
});

test("HTTPS/1.1: a verified certificate reaches the upstream with its subject; none or a foreign one is 403", async () => {
  const before = seen.length;
  const ok = await https1("m.test", good);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(seen.at(-1)?.["x-client-subject"], "CN=svc-a");
  const none = await https1("m.test");
  assert.equal(none.status, 403);
  assert.equal(JSON.parse(none.body).error.code, "AUTH_CERT_REQUIRED");
  assert.equal((await https1("m.test", foreign)).status, 403, "same subject, another CA");
  assert.equal(seen.length, before + 1, "only the verified request reached the upstream");
});

test("a Host other than the TLS server name is 421, even with a good certificate", async () => {
  const r = await https1("p.test", good, "m.test");
  assert.equal(r.status, 421);
  assert.equal(JSON.parse(r.body).error.code, "MISDIRECTED_REQUEST");
  assert.equal((await https1("m.test", good, "p.test")).status, 200, "p.test itself is public");
});

test("HTTP/2: :authority is the Host; the verdict holds for every stream of the connection", async () => {
  assert.deepEqual(await h2("m.test", ["m.test", "m.test", "p.test"], good), [200, 200, 200]);
  assert.deepEqual(await h2("m.test", ["m.test"]), [403]);
  assert.deepEqual(await h2("p.test", ["m.test"], good), [421], "a coalesced connection is misdirected");
});

test("an exact mTLS name served by a wildcard certificate is verified with its own CAs", async () => {
  assert.equal((await https1("special.wild.test", otherGood)).status, 200);
  assert.equal((await https1("special.wild.test", good)).status, 403, "the wildcard name's CA is not this name's");
  assert.equal((await https1("x.wild.test", good)).status, 200);
  assert.equal((await https1("x.wild.test", otherGood)).status, 403);
});
