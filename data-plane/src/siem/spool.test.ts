import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Spool, type SpoolOptions } from "./spool.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "palisade-spool-"));
  dirs.push(d);
  return d;
}
const opts: SpoolOptions = { maxEvents: 100_000, maxBytes: 64 * 1024 * 1024, fsyncIntervalMs: 1000 };
const payloads = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`event-${from + i}`));
const texts = (rs: { payload: Buffer }[]) => rs.map((r) => r.payload.toString());

async function readAll(s: Spool): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const rs = await s.read(500, 1 << 20);
    if (rs.length === 0) return out;
    out.push(...texts(rs));
    await s.ack(rs.at(-1)!.seq + 1);
  }
}

describe("Spool", () => {
  it("gives back appended records in order, by batch, and deletes segments once delivered", async () => {
    const dir = tmp();
    const s = await Spool.open(dir, { ...opts, segmentRecords: 100 });
    for (let i = 0; i < 10; i++) assert.deepEqual(await s.append(payloads(i * 50, 50)), { written: 50, error: null });
    const first = await s.read(30, 1 << 20);
    assert.deepEqual(texts(first), payloads(0, 30).map(String));
    assert.equal(s.pending, 500);
    await s.ack(first.at(-1)!.seq + 1);
    const rest = await readAll(s);
    assert.deepEqual(rest, payloads(30, 470).map(String));
    assert.equal(s.pending, 0);
    // Only the active segment is left.
    assert.equal(readdirSync(dir).filter((n) => n.endsWith(".seg")).length, 1);
    await s.close();
  });

  it("after a close, or a crash, gives back what was not acknowledged (never less)", async () => {
    const dir = tmp();
    const a = await Spool.open(dir, { ...opts, segmentRecords: 64 });
    await a.append(payloads(0, 300));
    const got = await a.read(100, 1 << 20);
    await a.ack(got.at(-1)!.seq + 1);
    await a.close();
    const b = await Spool.open(dir, opts);
    assert.deepEqual(await readAll(b), payloads(100, 200).map(String));
    await b.append(payloads(300, 10));
    // "Crash": the process stops without close; its cursor may be older than its acks.
    const c = await Spool.open(dir, opts);
    const resent = await readAll(c);
    assert.deepEqual(resent.slice(-10), payloads(300, 10).map(String));
    assert.ok(resent.length >= 10);
    await c.close();
  });

  it("cuts a torn last record (a write cut by a crash) and keeps every whole one", async () => {
    const dir = tmp();
    const a = await Spool.open(dir, opts);
    await a.append(payloads(0, 20));
    const seg = readdirSync(dir).find((n) => n.endsWith(".seg"))!;
    await appendFile(join(dir, seg), Buffer.from([40, 0, 0, 0, 1, 2, 3]));
    const b = await Spool.open(dir, opts);
    assert.deepEqual(await readAll(b), payloads(0, 20).map(String));
    await b.append(payloads(20, 1));
    assert.deepEqual(await readAll(b), ["event-20"]);
    await b.close();
  });

  it("counts exactly the records lost to a corrupt segment and goes on with the next one", async () => {
    const dir = tmp();
    const a = await Spool.open(dir, { ...opts, segmentRecords: 100 });
    for (let i = 0; i < 3; i++) await a.append(payloads(i * 100, 100));
    await a.close();
    const first = join(
      dir,
      readdirSync(dir)
        .filter((n) => n.endsWith(".seg"))
        .sort()[0]!,
    );
    const bytes = readFileSync(first);
    // Flip one payload byte of record 40 (each record: 16-byte header + "event-N").
    let off = 0;
    for (let i = 0; i < 40; i++) off += 16 + `event-${i}`.length;
    bytes[off + 16] = (bytes[off + 16]! ^ 0xff) & 0xff;
    writeFileSync(first, bytes);
    const b = await Spool.open(dir, opts);
    const got = await readAll(b);
    assert.deepEqual(got, [...payloads(0, 40), ...payloads(100, 200)].map(String));
    assert.equal(b.stats().droppedCorrupt, 60);
    await b.close();
  });

  it("over the bound drops the oldest segments, keeps at least maxEvents, and counts every drop", async () => {
    const dir = tmp();
    const s = await Spool.open(dir, { ...opts, maxEvents: 1000, segmentRecords: 100 });
    for (let i = 0; i < 50; i++) await s.append(payloads(i * 100, 100));
    const kept = await readAll(s);
    const st = s.stats();
    assert.equal(kept.length + st.droppedOverflow, 5000);
    assert.ok(kept.length >= 1000 && kept.length <= 1100, `${kept.length} kept`);
    assert.deepEqual(kept, payloads(5000 - kept.length, kept.length).map(String), "the newest, contiguous");
    await s.close();
  });

  it("a record larger than a read chunk comes back whole", async () => {
    const s = await Spool.open(tmp(), opts);
    const big = Buffer.alloc(700 * 1024, 120);
    await s.append([Buffer.from("a"), big, Buffer.from("b")]);
    const rs = await s.read(10, 1 << 30);
    assert.deepEqual(
      rs.map((r) => r.payload.length),
      [1, big.length, 1],
    );
    await s.close();
  });

  it("a full disk fails appends (counted, never thrown) and the spool writes again once space is back", async (t) => {
    const base = tmp();
    const mnt = join(base, "small");
    execFileSync("mkdir", ["-p", mnt]);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], { stdio: "pipe" });
    } catch {
      t.skip("mounting a tmpfs needs root (npm test runs as root)");
      return;
    }
    try {
      const s = await Spool.open(join(mnt, "spool"), { ...opts, fsyncIntervalMs: 0 });
      let filler = 0;
      try {
        for (;;) {
          writeFileSync(join(mnt, `filler-${filler}`), Buffer.alloc(16 * 1024));
          filler++;
        }
      } catch {
        // The disk is full.
      }
      const r = await s.append(payloads(0, 50));
      assert.equal(r.written, 0);
      assert.match(String((r.error as NodeJS.ErrnoException).code), /ENOSPC/);
      assert.equal(s.stats().droppedWriteFailed, 50);
      for (let i = 0; i < filler; i++) rmSync(join(mnt, `filler-${i}`));
      assert.deepEqual(await s.append(payloads(50, 5)), { written: 5, error: null });
      assert.deepEqual(await readAll(s), payloads(50, 5).map(String));
      await s.close();
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});
