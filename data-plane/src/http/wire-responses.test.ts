// The independent response reader judges the fuzz runs: these cases show it refuses what a
// client could not read, and what its options for HEAD answers admit and still refuse.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readResponses } from "./wire-responses.js";

const bytes = (s: string) => Buffer.from(s, "latin1");
const REFUSAL = "HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\n";
const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

test("a body its framing announces must be there, and bytes that are no response are named", () => {
  const two = readResponses(bytes(`${REFUSAL}oops!${OK}`));
  assert.equal(two.error, null);
  assert.deepEqual(
    two.responses.map((r) => [r.status, r.body.toString()]),
    [
      [400, "oops!"],
      [200, "ok"],
    ],
  );
  assert.match(readResponses(bytes(`${REFUSAL}${OK}`)).error ?? "", /no status line/);
  assert.match(readResponses(bytes("HTTP/1.1 200 OK\r\nbad line\r\n\r\n")).error ?? "", /bad field line/);
  assert.equal(readResponses(bytes(OK.slice(0, -1))).error, "body cut short");
});

test("bodylessBeforeStatusLine: an unmarked answer to HEAD is read, a body still counts where it fits", () => {
  const opts = { bodylessBeforeStatusLine: true };
  const head = readResponses(bytes(`${REFUSAL}${OK}`), [], true, opts);
  assert.equal(head.error, null);
  assert.deepEqual(
    head.responses.map((r) => [r.status, r.body.length]),
    [
      [400, 0],
      [200, 2],
    ],
  );
  // A body that happens to be followed by a status line is still the body.
  const withBody = readResponses(bytes(`${REFUSAL}oops!${OK}`), [], true, opts);
  assert.deepEqual(
    withBody.responses.map((r) => r.body.toString()),
    ["oops!", "ok"],
  );
  // A missing body followed by anything but a status line is still an error.
  assert.match(readResponses(bytes(`${REFUSAL}gar`), [], true, opts).error ?? "", /body cut short/);
});
