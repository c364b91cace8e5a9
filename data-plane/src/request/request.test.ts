// The request readers: authority (RFC 9112 §3.2), framing (RFC 9112 §6), client address.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { parseAuthority, resolveAuthority } from "./authority.js";
import { CidrSet, canonicalAddress, canonicalPeer, ipv4Number } from "./cidr.js";
import { resolveClientAddress, TrustedProxies } from "./client-address.js";
import { scanHeaders } from "./framing.js";

test("authority: host[:port], lower-cased, root dot dropped; junk refused", () => {
  assert.deepEqual(parseAuthority("Api.Example.TEST.:8080"), {
    host: "api.example.test",
    port: 8080,
    value: "api.example.test:8080",
  });
  assert.deepEqual(parseAuthority("[::1]:80"), { host: "[::1]", port: 80, value: "[::1]:80" });
  for (const bad of ["a b", "u@a", "a:", "a:99999", "a:8o", "[::1", "[zz]", "a/b", "a:1:2", "."])
    assert.equal(parseAuthority(bad), undefined, bad);
});

test("authority: one host per request; absolute-form must agree with Host", () => {
  assert.deepEqual(resolveAuthority(null, null, ["a.test"], true), { host: "a.test", port: null, value: "a.test" });
  assert.equal(resolveAuthority(null, null, [], true), "host_missing");
  assert.deepEqual(
    resolveAuthority(null, null, [], false),
    { host: "", port: null, value: "" },
    "HTTP/1.0 may omit Host",
  );
  assert.equal(resolveAuthority(null, null, ["a", "b"], true), "host_conflict");
  assert.equal(resolveAuthority(null, null, ["u@a"], true), "host_invalid");
  assert.deepEqual(resolveAuthority("a.test", "http", ["A.test:80"], true), {
    host: "a.test",
    port: null,
    value: "a.test",
  });
  assert.equal(resolveAuthority("a.test", "http", ["b.test"], true), "host_conflict");
  assert.equal(resolveAuthority("a.test:8080", "http", ["a.test"], true), "host_conflict");
  assert.equal(resolveAuthority("", "http", ["a.test"], true), "host_invalid");
});

const H = (...pairs: string[]) => pairs;

test("framing: exactly one chunked coding, no TE in HTTP/1.0, digits-only Content-Length", () => {
  assert.deepEqual(scanHeaders(H("Host", "a", "Transfer-Encoding", "chunked"), 1, 1, "POST"), {
    hosts: ["a"],
    contentLength: null,
    chunked: true,
  });
  assert.deepEqual(scanHeaders(H("Content-Length", "003"), 1, 0, "POST"), {
    hosts: [],
    contentLength: 3,
    chunked: false,
  });
  const refused: Array<[string[], number, string, string]> = [
    [H("Transfer-Encoding", "gzip, chunked"), 1, "POST", "te_not_chunked"],
    [H("Transfer-Encoding", "identity, chunked"), 1, "POST", "te_not_chunked"],
    [H("Transfer-Encoding", "CHUNKED"), 1, "POST", "te_not_chunked"],
    [H("Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked"), 1, "POST", "te_duplicate"],
    [H("Transfer-Encoding", "chunked"), 0, "POST", "te_http10"],
    [H("Content-Length", "4", "Transfer-Encoding", "chunked"), 1, "POST", "cl_and_te"],
    [H("Content-Length", "4", "content-length", "4"), 1, "POST", "cl_duplicate"],
    [H("Content-Length", "1e3"), 1, "POST", "cl_invalid"],
    [H("Host", "a", "host", "b"), 1, "GET", "host_duplicate"],
    [H("Authorization", "Bearer a", "authorization", "Bearer b"), 1, "GET", "authorization_duplicate"],
    [H("Content-Length", "3"), 1, "TRACE", "body_not_allowed"],
  ];
  for (const [raw, minor, method, why] of refused) assert.equal(scanHeaders(raw, 1, minor, method), why, raw.join(" "));
  assert.equal(scanHeaders([], 2, 0, "GET"), "version_unsupported", "HTTP/2.0 in an HTTP/1 request line");
  assert.equal(scanHeaders([], 0, 9, "GET"), "version_unsupported", "HTTP/0.9");
  assert.deepEqual(scanHeaders([], 2, 0, "GET", true), { hosts: [], contentLength: null, chunked: false });
});

test("client address: the peer unless it is a trusted proxy; IPv4-mapped peers read as IPv4", () => {
  assert.deepEqual(resolveClientAddress("::ffff:203.0.113.50", "198.51.100.1", null), {
    address: "203.0.113.50",
    peer: "203.0.113.50",
    peerTrusted: false,
    chain: ["203.0.113.50"],
  });
  const trusted = new TrustedProxies(["10.0.0.0/8"]);
  assert.equal(resolveClientAddress("203.0.113.50", "198.51.100.1", trusted).address, "203.0.113.50", "untrusted peer");
});

test("client address: the right-most untrusted X-Forwarded-For entry; spoofed entries left of it are dropped", () => {
  const trusted = new TrustedProxies(["10.0.0.0/8", "2001:db8::/32"]);
  assert.deepEqual(resolveClientAddress("10.0.0.2", "1.1.1.1, 203.0.113.50, 10.0.0.1", trusted), {
    address: "203.0.113.50",
    peer: "10.0.0.2",
    peerTrusted: true,
    chain: ["203.0.113.50", "10.0.0.1", "10.0.0.2"],
  });
  assert.equal(resolveClientAddress("10.0.0.2", ["1.1.1.1", "203.0.113.9:4711"], trusted).address, "203.0.113.9");
  assert.equal(resolveClientAddress("10.0.0.2", "[2001:DB9::1]:80, 2001:db8::5", trusted).address, "2001:db9::1");
  assert.equal(resolveClientAddress("10.0.0.2", "203.0.113.50, garbage, 10.0.0.1", trusted).address, "10.0.0.1");
  assert.equal(resolveClientAddress("10.0.0.2", undefined, trusted).address, "10.0.0.2");
  assert.equal(resolveClientAddress("10.0.0.2", "10.0.0.9, 10.0.0.1", trusted).address, "10.0.0.9", "all trusted");
});

test("client address: Forwarded for= (RFC 7239) when the proxies write that header", () => {
  const trusted = new TrustedProxies(["10.0.0.0/8"], "forwarded");
  const v = 'for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.1';
  assert.deepEqual(resolveClientAddress("10.0.0.2", v, trusted).chain, ["2001:db8:cafe::17", "10.0.0.1", "10.0.0.2"]);
  assert.equal(resolveClientAddress("10.0.0.2", "for=unknown, for=10.0.0.1", trusted).address, "10.0.0.1");
});

test("cidr: legacy IPv4 spellings are not addresses; sets match both families", () => {
  assert.equal(canonicalAddress("127.1"), undefined);
  assert.equal(canonicalAddress("0x7f.0.0.1"), undefined);
  assert.equal(canonicalAddress("::ffff:7f00:1"), "127.0.0.1");
  const s = new CidrSet(["127.0.0.0/8", "::1"]);
  assert.ok(s.hasText("127.9.9.9") && s.hasText("::1") && s.hasText("::ffff:127.0.0.1"));
  assert.ok(!s.hasText("::2") && !s.hasText("nope"));
});

test("cidr fast path: dotted IPv4 parsing and matching agree with ipaddr.js for any address and CIDR", () => {
  assert.equal(ipv4Number("192.0.2.1"), 0xc0000201);
  for (const bad of ["1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1..2.3", "a.b.c.d", "::1", ""])
    assert.equal(ipv4Number(bad), -1, bad);
  assert.equal(canonicalPeer("::ffff:203.0.113.5"), "203.0.113.5");
  assert.equal(canonicalPeer("2001:db8::1"), "2001:db8::1");
  const octet = fc.integer({ min: 0, max: 255 });
  const ip = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
  fc.assert(
    fc.property(ip, ip, fc.integer({ min: 0, max: 32 }), (addr, net, bits) => {
      const set = new CidrSet([`${net}/${bits}`]);
      const want = ipaddr.parse(addr).match(ipaddr.parseCIDR(`${net}/${bits}`) as [ipaddr.IPv4, number]);
      assert.equal(set.hasText(addr), want);
      assert.equal(set.hasText(`::ffff:${addr}`), want, "IPv4-mapped spelling");
    }),
    { numRuns: 2000 },
  );
});
