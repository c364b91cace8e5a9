import assert from "node:assert/strict";
import { test } from "node:test";
import { FullUpdateGate } from "./full-update-gate.js";

test("the gate admits up to its bound and lets waiters in oldest first as slots free", () => {
  const gate = new FullUpdateGate(2);
  const order: string[] = [];
  const waiter = (name: string) => {
    const retry = () => {
      if (gate.acquire(retry)) order.push(name);
    };
    return retry;
  };
  assert.equal(
    gate.acquire(() => {}),
    true,
  );
  assert.equal(
    gate.acquire(() => {}),
    true,
  );
  const [x, y, z] = [waiter("x"), waiter("y"), waiter("z")];
  for (const w of [x, y, z]) assert.equal(gate.acquire(w), false);
  assert.deepEqual([gate.inFlight, gate.waiting], [2, 3]);
  gate.cancel(y);
  gate.release();
  assert.deepEqual(order, ["x"], "y left the queue; x was first");
  gate.release();
  gate.release();
  assert.deepEqual(order, ["x", "z"]);
  assert.deepEqual([gate.inFlight, gate.waiting], [1, 0]);
});

test("a waiter that no longer wants a slot leaves it to the next one", () => {
  const gate = new FullUpdateGate(1);
  assert.equal(
    gate.acquire(() => {}),
    true,
  );
  let got = false;
  const later = () => {
    got = gate.acquire(later);
  };
  assert.equal(
    gate.acquire(() => {}),
    false,
  );
  gate.acquire(later);
  gate.release();
  assert.equal(got, true, "the first waiter did not take the slot; the second did");
});

test("a bound below 1 is refused", () => {
  assert.throws(() => new FullUpdateGate(0), RangeError);
});
