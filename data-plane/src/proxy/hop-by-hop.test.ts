import assert from "node:assert/strict";
import { test } from "node:test";
import { connectionTokens, HOP_BY_HOP } from "./hop-by-hop.js";

test("the RFC 9110 §7.6.1 list", () => {
  assert.deepEqual([...HOP_BY_HOP].sort(), [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
  ]);
});

test("Connection names the fields of one message that are hop-by-hop too", () => {
  assert.deepEqual(connectionTokens(undefined), []);
  assert.deepEqual(connectionTokens("Keep-Alive, Upgrade"), []);
  assert.deepEqual(connectionTokens("close, X-Secret ,x-other, x-secret"), ["x-secret", "x-other"]);
});
