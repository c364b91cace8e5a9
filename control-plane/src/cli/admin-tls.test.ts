import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ClientCa, TestCa } from "@palisade/test-support";
import { pino } from "pino";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { parseCpOptions } from "../options.js";
import { runCli } from "./main.js";

const TOKEN = "tls-test-admin-token-0123456789";
const serverCa = new TestCa();
const clientCa = new ClientCa();
let dir: string;
let cp: ControlPlane;
const files: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "palisade-admin-tls-"));
  const leaf = serverCa.issue(["localhost"]);
  const client = clientCa.issue({ subject: "/CN=ops" });
  for (const [name, pem] of Object.entries({
    "server.crt": leaf.certPem,
    "server.key": leaf.keyPem,
    "server-ca.crt": serverCa.certPem,
    "client-ca.crt": clientCa.certPem,
    "client.crt": client.certPem,
    "client.key": client.keyPem,
  })) {
    files[name] = join(dir, name);
    writeFileSync(files[name], pem);
  }
  const opts = parseCpOptions(
    [
      ...["--db", ":memory:", "--admin-listen", "127.0.0.1:0", "--sync-listen", "127.0.0.1:0", "--log-level", "silent"],
      ...["--admin-tls-cert", files["server.crt"]!, "--admin-tls-key", files["server.key"]!],
      ...["--admin-tls-client-ca", files["client-ca.crt"]!],
    ],
    { PALISADE_ADMIN_TOKEN: TOKEN },
  );
  if (opts === "help" || opts === "version") throw new Error("unexpected");
  cp = await startControlPlane(opts, pino({ level: "silent" }));
});
after(async () => {
  await cp?.close();
  serverCa.dispose();
  clientCa.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const ctl = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    { PALISADE_ADMIN_URL: `https://localhost:${cp.admin.port}`, PALISADE_ADMIN_TOKEN: TOKEN, ...env },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
};

test("the admin listener speaks TLS and asks for a client certificate; palisadectl presents one", async () => {
  const ok = await ctl([
    "get",
    "routes",
    "--cacert",
    files["server-ca.crt"]!,
    "--cert",
    files["client.crt"]!,
    "--key",
    files["client.key"]!,
  ]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^NAME/);
  // Same through the environment.
  const env = await ctl(["tokens", "whoami", "-o", "json"], {
    PALISADE_ADMIN_CACERT: files["server-ca.crt"],
    PALISADE_ADMIN_CERT: files["client.crt"],
    PALISADE_ADMIN_KEY: files["client.key"],
  });
  assert.equal(JSON.parse(env.out).role, "admin");
  const noClientCert = await ctl(["get", "routes", "--cacert", files["server-ca.crt"]!]);
  assert.equal(noClientCert.code, 1);
  assert.match(noClientCert.err, /UNREACHABLE/);
  const unknownServer = await ctl(["get", "routes", "--cert", files["client.crt"]!, "--key", files["client.key"]!]);
  assert.equal(unknownServer.code, 1, "the server's CA is not trusted without --cacert");
  assert.equal((await ctl(["get", "routes", "--cert", files["client.crt"]!])).code, 2, "--cert without --key");
});

test("a TLS flag without its pair member is refused at start, naming the flag", () => {
  assert.throws(
    () => parseCpOptions(["--admin-tls-cert", "/nope.crt"], {}),
    /--admin-tls-key: --admin-tls-cert and --admin-tls-key go together/,
  );
  assert.throws(
    () => parseCpOptions(["--admin-tls-cert", "/nope.crt", "--admin-tls-key", "/nope.key"], {}),
    /--admin-tls-cert: cannot read \/nope\.crt: ENOENT/,
  );
});
