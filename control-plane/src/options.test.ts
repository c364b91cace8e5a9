import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCpOptions } from "./options.js";

test("defaults, flags over environment, and help/version", () => {
  const d = parseCpOptions([], {});
  assert.ok(typeof d === "object");
  assert.deepEqual(
    [d.db, d.adminListen, d.syncListen, d.logLevel],
    ["./palisade.db", { host: "127.0.0.1", port: 8001 }, { host: "127.0.0.1", port: 8005 }, "info"],
  );
  const o = parseCpOptions(["--admin-listen", "[::1]:9001"], {
    PALISADE_ADMIN_LISTEN: "0.0.0.0:1",
    PALISADE_DB: "/x.db",
  });
  assert.ok(typeof o === "object");
  assert.deepEqual([o.adminListen, o.db], [{ host: "::1", port: 9001 }, "/x.db"]);
  assert.equal(parseCpOptions(["--help"], {}), "help");
  assert.equal(parseCpOptions(["--version"], {}), "version");
});

test("bad values name the flag, and the variable when it came from there", () => {
  assert.throws(() => parseCpOptions(["--sync-listen", "1.2.3.4:70000"], {}), { option: "--sync-listen" });
  assert.throws(() => parseCpOptions([], { PALISADE_ADMIN_LISTEN: "nope" }), {
    option: "--admin-listen (PALISADE_ADMIN_LISTEN)",
  });
  assert.throws(() => parseCpOptions(["--log-level", "loud"], {}), { option: "--log-level" });
  assert.throws(() => parseCpOptions([], { PALISADE_ADMIN_TOKEN: "short" }), { option: "PALISADE_ADMIN_TOKEN" });
  assert.throws(() => parseCpOptions(["--bogus"], {}), { option: "usage" });
  assert.throws(() => parseCpOptions(["--rollout-tick-ms", "10"], {}), { option: "--rollout-tick-ms" });
});

test("--database-url (PALISADE_DATABASE_URL) takes a postgres URL; anything else is refused without echoing it", () => {
  const o = parseCpOptions([], { PALISADE_DATABASE_URL: "postgres://cp:pw@db:5432/palisade" });
  assert.ok(typeof o === "object");
  assert.deepEqual([o.databaseUrl, o.pkiDir], ["postgres://cp:pw@db:5432/palisade", "pki"]);
  assert.equal((parseCpOptions([], {}) as { databaseUrl?: string }).databaseUrl, undefined, "SQLite by default");
  assert.throws(
    () => parseCpOptions(["--database-url", "mysql://u:secret@h/db"], {}),
    (e: Error & { option?: string }) => {
      assert.equal(e.option, "--database-url");
      assert.doesNotMatch(e.message, /secret/);
      return true;
    },
  );
  assert.throws(() => parseCpOptions([], { PALISADE_DATABASE_URL: "not a url" }), {
    option: "--database-url (PALISADE_DATABASE_URL)",
  });
});
