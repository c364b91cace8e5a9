import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  ConfigErrorKind,
  ConfigUpdateSchema,
  PolicySchema,
  type Snapshot,
  type StreamConfigRequest,
} from "@palisade/proto";
import { compile } from "../config/compile.js";
import { CompileError } from "../config/compile-error.js";
import type { ConfigState } from "../config/config-state.js";
import { LastKnownGood } from "../config/last-known-good.js";
import { TableHolder } from "../config/table-holder.js";
import { createLogger } from "../log.js";
import { deltaUpdate, fullUpdate, log, route, snapshot, upstream } from "../test/fixtures.js";
import { ConfigApplier } from "./config-applier.js";

const base = (version: bigint, extra: string[] = []) =>
  snapshot(
    {
      upstreams: [upstream("u", ["127.0.0.1:1"])],
      routes: [route("r", "u", ["/"]), ...extra.map((p) => route(`r${p}`, "u", [`/${p}`]))],
    },
    version,
  );
const bad = (version: bigint) => snapshot({ policies: [create(PolicySchema, { id: "future" })] }, version);

function setup(persisted: ConfigState[] = []) {
  const holder = new TableHolder();
  let compiles = 0;
  const applier = new ConfigApplier(
    holder,
    (s: Snapshot, previous) => {
      compiles++;
      return compile(s, { policyTypes: new Set(["jwt"]), ...(previous ? { previous } : {}) });
    },
    log,
    {
      save: async (s) => {
        persisted.push(s);
      },
    },
  );
  return { holder, applier, compiles: () => compiles };
}

const kind = (r: StreamConfigRequest) => r.kind;

test("a full update is compiled, swapped in, written, and ACKed with version, nonce and hash", async () => {
  const persisted: ConfigState[] = [];
  const { holder, applier } = setup(persisted);
  const u = fullUpdate(base(1n), 1n);
  const reply = kind(await applier.apply(u));
  assert.equal(reply.case, "ack");
  assert.deepEqual(reply.case === "ack" && [reply.value.version, reply.value.nonce, reply.value.hash], [
    1n,
    "n1",
    u.hash,
  ]);
  assert.deepEqual(
    [holder.applied?.version, holder.applied?.hash, holder.applied?.source],
    [1n, u.hash, "control-plane"],
  );
  assert.equal(persisted.length, 1, "written before the ACK");
  assert.equal(persisted[0]!.hash, u.hash);
});

test("a bad snapshot is NACKed with the running version and the error; the old table keeps serving", async () => {
  const { holder, applier } = setup();
  await applier.apply(fullUpdate(base(1n), 1n));
  const before = holder.table;
  const reply = kind(await applier.apply(fullUpdate(bad(2n), 2n)));
  assert.equal(reply.case, "nack");
  if (reply.case !== "nack") return;
  assert.deepEqual(
    [reply.value.rejectedVersion, reply.value.runningVersion, reply.value.nonce, reply.value.error?.code],
    [2n, 1n, "n2", "POLICY_TYPE_UNKNOWN"],
  );
  assert.equal(reply.value.error?.resource, "policy/future");
  assert.equal(reply.value.error?.kind, ConfigErrorKind.CONFIG, "the config is at fault");
  assert.equal(holder.table, before);
});

test("the same content under a new version is ACKed without recompiling", async () => {
  const { holder, applier, compiles } = setup();
  await applier.apply(fullUpdate(base(1n), 1n));
  const before = holder.table;
  const reply = kind(await applier.apply(fullUpdate(base(2n), 2n)));
  assert.equal(reply.case, "ack");
  assert.equal(compiles(), 1);
  assert.equal(holder.table, before);
  assert.equal(holder.applied?.version, 2n);
});

test("a delta builds the new config from the held one; unchanged routes are reused", async () => {
  const { holder, applier } = setup();
  const v1 = base(1n, ["a", "b", "c"]);
  await applier.apply(fullUpdate(v1, 1n));
  const t1 = holder.table!;
  const v2 = base(2n, ["a", "b", "d"]);
  v2.routes[1]!.paths[0]!.kind = { case: "prefix", value: "/a2" };
  const u = deltaUpdate(v1, v2, 2n);
  assert.deepEqual([u.resources.length, u.removed.length], [2, 1], "ra changed, rd added, rc removed");
  const reply = kind(await applier.apply(u));
  assert.equal(reply.case, "ack", JSON.stringify(reply.case === "nack" && reply.value.error));
  const t2 = holder.table!;
  assert.equal(holder.applied?.hash, u.hash);
  assert.equal(t2.routes.get("rb"), t1.routes.get("rb"), "unchanged route reused");
  assert.notEqual(t2.routes.get("ra"), t1.routes.get("ra"));
  assert.equal(t2.routes.has("rc"), false);
  const fresh = compile(v2, { policyTypes: new Set(["jwt"]) });
  for (const path of ["/a", "/a2/x", "/b", "/c", "/d/1", "/zzz"])
    assert.equal(t2.router.match("GET", "h", path)?.route.id, fresh.router.match("GET", "h", path)?.route.id, path);
});

test("a delta over a base the node does not hold is refused with BASE_MISMATCH, and so is one that hashes wrong", async () => {
  const { holder, applier } = setup();
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const other = deltaUpdate(base(7n, ["x"]), base(8n, ["y"]), 8n);
  const r1 = kind(await applier.apply(other));
  assert.equal(r1.case === "nack" && r1.value.error?.code, "BASE_MISMATCH");
  assert.equal(r1.case === "nack" && r1.value.error?.kind, ConfigErrorKind.UNSPECIFIED, "neither side's fault");
  const wrong = deltaUpdate(v1, base(2n, ["a", "b"]), 2n);
  wrong.hash = "0".repeat(64);
  const r2 = kind(await applier.apply(wrong));
  assert.equal(r2.case === "nack" && r2.value.error?.code, "BASE_MISMATCH");
  assert.equal(holder.applied?.version, 1n);
});

test("an update whose resources do not decode is NACKed SNAPSHOT_INVALID", async () => {
  const { applier } = setup();
  const u = create(ConfigUpdateSchema, {
    version: 3n,
    nonce: "x",
    full: true,
    resources: [{ field: 4, body: new Uint8Array([0x0a, 0xff]) }],
  });
  const reply = kind(await applier.apply(u));
  assert.equal(reply.case === "nack" && reply.value.error?.code, "SNAPSHOT_INVALID");
  assert.equal(reply.case === "nack" && reply.value.runningVersion, 0n);
});

test("the last-known-good file round-trips the applied config", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-lkg-"));
  try {
    const lkg = new LastKnownGood(dir, log);
    const holder = new TableHolder();
    const applier = new ConfigApplier(holder, (s) => compile(s, { policyTypes: new Set() }), log, lkg);
    const u = fullUpdate(base(4n, ["a"]), 4n);
    await applier.apply(u);
    const back = lkg.load()!;
    assert.deepEqual([back.version, back.hash, back.size], [4n, u.hash, 3]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- defence in depth: only a config error is a NACK -------------------------------------------

/**
 * A node whose compile fails as `fault` says (the node's real compile otherwise), logging to
 * `lines`. Faults are injected into the real compile: the reuse of the previous table is an
 * optimisation whose bugs (issue 13: a crash in the router update) must never decide the answer.
 */
function faulty(fault: (s: Snapshot, previous: unknown) => void) {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const logger = createLogger("debug", { write: (line: string) => lines.push(JSON.parse(line)) });
  const holder = new TableHolder();
  const calls: boolean[] = [];
  const applier = new ConfigApplier(
    holder,
    (s: Snapshot, previous, hint) => {
      calls.push(previous !== undefined);
      fault(s, previous);
      return compile(s, {
        policyTypes: new Set(["jwt"]),
        ...(previous ? { previous } : {}),
        ...(hint ? { changedRoutes: hint } : {}),
      });
    },
    logger,
  );
  return { holder, applier, lines, calls };
}

const routeIds = (holder: TableHolder) => [...holder.table!.routes.keys()].sort();

test("an incremental compile that crashes is compiled again from scratch: the node ACKs and serves the new version", async () => {
  const { holder, applier, lines, calls } = faulty((_, previous) => {
    if (previous !== undefined) throw new TypeError("Cannot read properties of undefined (reading 'push')");
  });
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const reply = kind(await applier.apply(deltaUpdate(v1, base(2n, ["b"]), 2n)));
  assert.equal(reply.case, "ack", JSON.stringify(reply.case === "nack" && reply.value.error));
  assert.deepEqual(calls, [false, true, false], "full from scratch, the delta incrementally, then from scratch");
  assert.equal(holder.applied?.version, 2n);
  assert.deepEqual(routeIds(holder), ["r", "rb"]);
  assert.equal(holder.table!.router.match("GET", "h", "/b")?.route.id, "rb");
  const crash = lines.find((l) => l.msg === "incremental config compile crashed: compiling from scratch");
  assert.equal(crash?.level, 50, "logged as an error");
  assert.match(crash?.err?.message ?? "", /reading 'push'/);
  assert.ok(lines.some((l) => l.level === 50 && /a compile from scratch succeeds/.test(l.msg)));
});

test("an incremental refusal of a config that compiles from scratch is not a NACK", async () => {
  const { holder, applier } = faulty((_, previous) => {
    if (previous !== undefined) throw new CompileError("RESOURCE_INVALID", "duplicate route id", "route/ra");
  });
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const reply = kind(await applier.apply(deltaUpdate(v1, base(2n, ["a", "b"]), 2n)));
  assert.equal(reply.case, "ack");
  assert.deepEqual(routeIds(holder), ["r", "ra", "rb"]);
});

test("a config error found incrementally is NACKed with the from-scratch error, kind CONFIG", async () => {
  const { holder, applier, calls } = faulty(() => {});
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const v2 = base(2n, ["a"]);
  v2.routes.push(route("zz", "missing", ["/zz"]));
  const reply = kind(await applier.apply(deltaUpdate(v1, v2, 2n)));
  assert.equal(reply.case, "nack");
  assert.deepEqual(
    reply.case === "nack" && [reply.value.error?.code, reply.value.error?.resource, reply.value.error?.kind],
    ["REFERENCE_MISSING", "route/zz", ConfigErrorKind.CONFIG],
  );
  assert.deepEqual(calls, [false, true, false], "confirmed from scratch before the NACK");
  assert.equal(holder.applied?.version, 1n);
});

test("a node fault from scratch too is NACKed INTERNAL, kind NODE_FAULT, without details; the old table serves", async () => {
  const { holder, applier, lines } = faulty((s) => {
    if (s.routes.some((r) => r.id === "rcrash")) throw new RangeError("secret detail of the bug");
  });
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const before = holder.table;
  const reply = kind(await applier.apply(deltaUpdate(v1, base(2n, ["crash"]), 2n)));
  assert.equal(reply.case, "nack");
  if (reply.case !== "nack") return;
  assert.deepEqual(
    [reply.value.rejectedVersion, reply.value.runningVersion, reply.value.error?.code, reply.value.error?.kind],
    [2n, 1n, "INTERNAL", ConfigErrorKind.NODE_FAULT],
  );
  assert.doesNotMatch(reply.value.error?.message ?? "", /secret/);
  assert.equal(holder.table, before);
  assert.ok(lines.some((l) => l.msg === "config compile crashed" && /secret detail/.test(l.err?.message ?? "")));
  const nack = lines.find((l) => l.msg === "config rejected (NACK)") as { kind?: string } | undefined;
  assert.equal(nack?.kind, "node_fault");
});

test("a resync compiles the same content from scratch and swaps it in; a plain resend does not", async () => {
  const { holder, applier, calls } = faulty(() => {});
  const v1 = base(1n, ["a"]);
  await applier.apply(fullUpdate(v1, 1n));
  const t1 = holder.table;
  const resend = kind(await applier.apply(fullUpdate(base(2n, ["a"]), 2n)));
  assert.equal(resend.case, "ack");
  assert.equal(holder.table, t1, "same content: nothing recompiled");
  const u = fullUpdate(base(3n, ["a"]), 3n);
  u.resync = true;
  const reply = kind(await applier.apply(u));
  assert.equal(reply.case, "ack");
  assert.deepEqual(reply.case === "ack" && [reply.value.version, reply.value.hash], [3n, u.hash]);
  assert.deepEqual(calls, [false, false], "compiled again, from scratch");
  assert.notEqual(holder.table, t1);
  assert.equal(holder.applied?.version, 3n);
  assert.deepEqual(routeIds(holder), ["r", "ra"]);
});
