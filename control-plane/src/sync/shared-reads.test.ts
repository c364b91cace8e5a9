import assert from "node:assert/strict";
import { test } from "node:test";
import type { PublishedVersion } from "../config/publisher.js";
import { sharedReads } from "./shared-reads.js";

test("sessions asking for one version at once share one store read; a later ask reads again", async () => {
  let reads = 0;
  let finish: (v: PublishedVersion | undefined) => void = () => {};
  const v7 = { version: 7 } as PublishedVersion;
  const shared = sharedReads({
    latest: () => undefined,
    cached: () => undefined,
    missingFor: () => [7],
    planFor: () => ({ kind: "none" }),
    version: () => {
      reads++;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
  });
  const asks = [shared.version!(7), shared.version!(7), shared.version!(7)];
  assert.equal(reads, 1);
  finish(v7);
  assert.deepEqual(await Promise.all(asks), [v7, v7, v7]);
  const again = shared.version!(7);
  assert.equal(reads, 2, "the single flight ends with the read (the publisher keeps what it read)");
  finish(undefined);
  assert.equal(await again, undefined);
});
