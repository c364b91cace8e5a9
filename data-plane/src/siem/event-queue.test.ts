import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventQueue } from "./event-queue.js";

describe("EventQueue", () => {
  it("is FIFO, bounded, drops the oldest when full and counts it", () => {
    const q = new EventQueue<number>(3);
    assert.equal(q.push(1), true);
    assert.equal(q.push(2), true);
    assert.equal(q.push(3), true);
    assert.equal(q.push(4), false);
    assert.equal(q.size, 3);
    assert.equal(q.dropped, 1);
    assert.deepEqual(q.take(2), [2, 3]);
    q.push(5);
    q.push(6);
    assert.deepEqual(q.take(10), [4, 5, 6]);
    assert.equal(q.pushed, 6);
    assert.deepEqual(q.take(1), []);
  });

  it("refuses a capacity that is not a positive integer", () => {
    assert.throws(() => new EventQueue(0), RangeError);
  });
});
