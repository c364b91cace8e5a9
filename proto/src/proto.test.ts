import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { configSyncServiceDefinition, SnapshotSchema, STREAM_CONFIG_PATH, StreamConfigRequestSchema } from "./index.js";

const protoDir = fileURLToPath(new URL("..", import.meta.url));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

test("generated code matches the .proto files (run `npm run gen` after editing them)", () => {
  const out = mkdtempSync(join(tmpdir(), "palisade-gen-"));
  try {
    execFileSync(
      "npx",
      [
        "buf",
        "generate",
        "--template",
        JSON.stringify({
          version: "v2",
          clean: true,
          plugins: [{ local: "protoc-gen-es", out, opt: ["target=ts", "import_extension=js"] }],
        }),
      ],
      { cwd: protoDir, stdio: "pipe" },
    );
    const committed = join(protoDir, "src/gen");
    const want = listFiles(out).map((f) => relative(out, f));
    const have = listFiles(committed).map((f) => relative(committed, f));
    assert.deepEqual(have, want, "generated file list differs");
    for (const f of want) {
      assert.equal(readFileSync(join(committed, f), "utf8"), readFileSync(join(out, f), "utf8"), `${f} is stale`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("buf lint STANDARD passes", () => {
  execFileSync("npx", ["buf", "lint"], { cwd: protoDir, stdio: "pipe" });
});

test("the grpc-js definition is bidirectional and round-trips a message", () => {
  const m = configSyncServiceDefinition.streamConfig;
  assert.ok(m);
  assert.equal(m.path, STREAM_CONFIG_PATH);
  assert.equal(m.path, "/palisade.sync.v1.ConfigSyncService/StreamConfig");
  assert.equal(m.requestStream, true);
  assert.equal(m.responseStream, true);
  const msg = create(StreamConfigRequestSchema, {
    kind: { case: "hello", value: { nodeId: "n1", region: "eu", appliedVersion: 7n } },
  });
  const bytes = m.requestSerialize(msg);
  assert.ok(Buffer.isBuffer(bytes));
  const back = m.requestDeserialize(bytes) as typeof msg;
  assert.equal(back.kind.case, "hello");
  assert.equal(back.kind.case === "hello" && back.kind.value.appliedVersion, 7n);
  assert.equal(create(SnapshotSchema).version, 0n);
});
