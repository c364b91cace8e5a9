import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TwoGenerationBloom } from "./bloom.js";
import { CountMinSketch } from "./count-min.js";
import { HyperLogLog } from "./hyperloglog.js";
import { SIZE_MAX_KEY, SizeSketch } from "./size-sketch.js";
import { SpaceSaving } from "./space-saving.js";

describe("count-min sketch", () => {
  it("never undercounts, and two merged sketches count like one fed both streams", () => {
    const a = new CountMinSketch(1024, 4);
    const b = new CountMinSketch(1024, 4);
    const truth = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const k = (i * 2654435761) % 3000;
      truth.set(k, (truth.get(k) ?? 0) + 1);
      (i % 2 === 0 ? a : b).add(k, 7);
    }
    a.merge(b);
    let over = 0;
    for (const [k, n] of truth) {
      const e = a.estimate(k, 7);
      assert.ok(e >= n, `key ${k}: ${e} < ${n}`);
      over += e - n;
    }
    // Error bound e/w × N per key on average is far looser than what conservative update gives.
    assert.ok(over / truth.size < (Math.E / 1024) * 20_000);
  });

  it("refuses to merge different shapes", () => {
    assert.throws(() => new CountMinSketch(1024, 4).merge(new CountMinSketch(512, 4)), RangeError);
  });
});

describe("HyperLogLog", () => {
  it("estimates distinct counts within 3 standard errors, and merges as a set union", () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    for (let i = 0; i < 100_000; i++) a.add(i);
    for (let i = 50_000; i < 150_000; i++) b.add(i);
    const se = 1.04 / Math.sqrt(4096);
    assert.ok(Math.abs(a.estimate() / 100_000 - 1) < 3 * se, `${a.estimate()}`);
    a.merge(b);
    assert.ok(Math.abs(a.estimate() / 150_000 - 1) < 3 * se, `${a.estimate()}`);
    const small = new HyperLogLog(8);
    for (let i = 0; i < 40; i++) small.add(i * 7919);
    assert.ok(Math.abs(small.estimate() - 40) < 4, `${small.estimate()}`);
  });

  it("refuses registers out of range", () => {
    assert.throws(() => new HyperLogLog(8, new Uint8Array(256).fill(40)), RangeError);
    assert.throws(() => new HyperLogLog(8, new Uint8Array(255)), RangeError);
  });
});

describe("two-generation Bloom filter", () => {
  it("says new once per pair, and forgets after two rotations", () => {
    const f = new TwoGenerationBloom(16, 1000, 4);
    assert.equal(f.insert(1, 2), true);
    assert.equal(f.insert(1, 2), false);
    f.rotate();
    assert.equal(f.insert(1, 2), false);
    f.rotate();
    f.rotate();
    assert.equal(f.insert(1, 2), true);
  });
});

describe("Space-Saving top-K", () => {
  it("keeps every key above N/k with a count that bounds the truth", () => {
    const s = new SpaceSaving(16);
    for (let i = 0; i < 10_000; i++) s.add(i % 5 === 0 ? 1 : i % 7 === 0 ? 2 : 1000 + i);
    const top = new Map(s.top().map(([k, c, e]) => [k, [c, e]] as const));
    assert.ok(top.get(1)![0]! >= 2000 && top.get(1)![0]! - top.get(1)![1]! <= 2000);
    assert.ok(top.has(2));
  });
});

describe("size sketch (DDSketch)", () => {
  it("gives p99 within 2 % and survives its bins' round trip", () => {
    const s = new SizeSketch();
    for (let i = 1; i <= 10_000; i++) s.accept(i);
    assert.ok(Math.abs(s.quantile(0.99) / 9900 - 1) <= 0.02);
    const back = SizeSketch.fromBins(s.toBins());
    assert.equal(back.count, 10_000);
    assert.ok(Math.abs(back.quantile(0.99) / 9900 - 1) <= 0.02);
  });

  it("refuses bins that are not increasing, out of range, or too many", () => {
    assert.throws(() => SizeSketch.fromBins({ zeros: 0, keys: [5, 5], counts: [1, 1] }), RangeError);
    assert.throws(() => SizeSketch.fromBins({ zeros: 0, keys: [SIZE_MAX_KEY + 1], counts: [1] }), RangeError);
    assert.throws(() => SizeSketch.fromBins({ zeros: 0, keys: [1], counts: [0] }), RangeError);
    const many = Array.from({ length: 513 }, (_, i) => i);
    assert.throws(() => SizeSketch.fromBins({ zeros: 0, keys: many, counts: many.map(() => 1) }), RangeError);
  });
});
