import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type CanonicalPath,
  canonicalizePath,
  forwardIndex,
  normalizePath,
  type PathOptions,
  STRICT_PATHS,
} from "./path.js";

test("plain paths pass unchanged", () => {
  for (const p of ["/", "/echo", "/echo/", "/a/b.c/d-e_f~g", "/caf%C3%A9", "/a/%E2%82%AC/b"])
    assert.equal(normalizePath(p), p);
});

test("percent-encoded unreserved characters are decoded, other escapes upper-cased", () => {
  assert.equal(normalizePath("/ech%6F/x"), "/echo/x");
  assert.equal(normalizePath("/%7euser"), "/~user");
  assert.equal(normalizePath("/caf%c3%a9"), "/caf%C3%A9");
  assert.equal(normalizePath("/sp%20ace"), "/sp%20ace");
});

test("dot segments, empty segments and malformed escapes are refused", () => {
  for (const p of [
    "/a/../b",
    "/a/./b",
    "/..",
    "/a/..",
    "/a/%2e%2e/b",
    "/a/.%2E/b",
    "//a",
    "/a//b",
    "/a\\b",
    "/a%zz",
    "/a%4",
    "/a#frag",
    "relative",
    "",
    "*",
  ]) {
    assert.equal(normalizePath(p), undefined, p);
  }
});

test("escapes an upstream decodes into a separator or a control character are refused (cases C01, C03, C07)", () => {
  for (const p of [
    "/admin%2Fusers",
    "/admin%2fusers",
    "/admin%5Cusers",
    "/admin%00/users",
    "/public/..%2Fadmin/users",
    "/public/..%5cadmin",
    "/a%0d%0ab",
    "/a%09b",
    "/a%7Fb",
    "/svc/..%2Fpriv/secret",
  ])
    assert.equal(normalizePath(p), undefined, p);
});

test("other escapes and ; are legal and forwarded as they are, flagged for the readings check (issue 13 point 5)", () => {
  for (const [raw, path] of [
    ["/%23fragment", "/%23fragment"],
    ["/a%3fb", "/a%3Fb"],
    ["/100%25", "/100%25"],
    ["/cars;color=red", "/cars;color=red"],
    ["/a%3bb", "/a%3Bb"],
    ["/admin%23/users", "/admin%23/users"],
    ["/public/%252e%252e/admin", "/public/%252e%252e/admin"],
  ]) {
    const c = canonicalizePath(raw!, STRICT_PATHS) as CanonicalPath;
    assert.equal(c.path, path, raw);
    assert.equal(c.delimiters, true, raw);
    assert.equal(c.keptEscapes, null);
  }
  for (const raw of ["/a%20b", "/%2B1", "/%26x", "/a%40b", "/%24", "/x%2C", "/%5B%5D"]) {
    const c = canonicalizePath(raw, STRICT_PATHS) as CanonicalPath;
    assert.equal(typeof c, "object", raw);
    assert.equal(c.delimiters, false, raw);
  }
});

test("a route's allow_encoded keeps %5C and controls (never %00); %5C matches as / like %2F", () => {
  const opts: PathOptions = { mergeSlashes: false, allowEncodedSlashes: false, allowEncoded: new Set([0x5c, 0x0a]) };
  const c = canonicalizePath("/files/a%5cb%0Ac", opts) as CanonicalPath;
  assert.equal(c.path, "/files/a%5Cb%0Ac");
  assert.equal(c.match, "/files/a/b%0Ac");
  assert.deepEqual([...c.keptEscapes!].sort(), [0x0a, 0x5c]);
  assert.equal(c.encodedSlashes, true);
  assert.equal(canonicalizePath("/a%5C..%5Cb", opts), "path_dot_segment", "a kept %5C never hides a dot segment");
  assert.equal(canonicalizePath("/a%2Fb", opts), "path_encoded_slash", "%2F stays refused");
  assert.equal(canonicalizePath("/a%00b", { ...opts, allowEncoded: new Set([0]) }), "path_encoded_delimiter");
  assert.equal(forwardIndex("/a%5Cb/c", "/a/b".length), "/a%5Cb".length);
});

test("escaped bytes must be valid UTF-8: overlong and truncated forms are refused", () => {
  for (const p of ["/%c0%ae%c0%ae/admin", "/%C0%AF", "/%E0%80%AF", "/%ff", "/caf%C3", "/%C3x%A9", "/%ED%A0%80"])
    assert.equal(normalizePath(p), undefined, p);
});

test("dots inside a segment are fine", () => {
  assert.equal(normalizePath("/a/..b/c.d"), "/a/..b/c.d");
  assert.equal(normalizePath("/.well-known/x"), "/.well-known/x");
  assert.equal(normalizePath("/a%20b/c"), "/a%20b/c");
});

test("a segment ending in a dot or a space is refused: Windows, IIS and .NET drop them (C39 variants)", () => {
  for (const p of [
    "/admin./users",
    "/admin%2e/users",
    "/admin../users",
    "/admin%20/users",
    "/admin%20",
    "/x/...",
    "/.../admin",
    "/..%20/admin",
    "/..%2e/admin",
    "/a/b.",
  ])
    assert.equal(canonicalizePath(p, STRICT_PATHS), "path_trailing_dot", p);
  const enc: PathOptions = { mergeSlashes: false, allowEncodedSlashes: true };
  assert.equal(canonicalizePath("/admin.%2Fusers", enc), "path_trailing_dot");
});

test("characters an upstream may fold into ASCII are refused; other UTF-8 passes (C39 variants)", () => {
  for (const p of [
    "/protected-%C5%BFervice", // ſ: NFKC and upper case give "s"
    "/protected-serv%C4%B1ce", // ı: upper case gives "I"
    "/%E2%84%AAey", // Kelvin sign: lower case and NFKC give "k"
    "/%C4%B0d", // İ: lower case gives "i" + a combining dot
    "/..%EF%BC%8Fadmin", // fullwidth solidus: NFKC "/"
    "/%EF%BC%8E%EF%BC%8E/admin", // fullwidth full stops: NFKC "."
    "/a%EF%BC%BCb", // fullwidth reverse solidus: NFKC "\\"
    "/%E2%80%A4%E2%80%A4/admin", // one dot leader: NFKC "."
    "/%EF%BD%81dmin", // fullwidth a
    "/a%C2%A0", // no-break space: NFKC " "
    "/admin%E2%88%95users", // division slash: best fit "/"
    "/admin%E2%88%96users", // set minus: best fit "\\"
    "/a%E2%81%84b", // fraction slash
    "/a%C2%A5b", // yen sign: "\\" in code page 932
  ])
    assert.equal(canonicalizePath(p, STRICT_PATHS), "path_unicode_lookalike", p);
  for (const p of ["/caf%C3%A9", "/%E2%82%AC/b", "/%E6%97%A5%E6%9C%AC", "/%C3%85ngstr%C3%B6m", "/%CE%BC"])
    assert.equal(normalizePath(p), p, p);
});

test("literal characters outside RFC 3986 that node lets through are percent-encoded", () => {
  assert.equal(normalizePath('/a|b^c{d}`e"<>'), "/a%7Cb%5Ec%7Bd%7D%60e%22%3C%3E");
});

test("merge_slashes merges literal empty segments and says so; dot segments stay refused", () => {
  const merge: PathOptions = { mergeSlashes: true, allowEncodedSlashes: false };
  assert.deepEqual(canonicalizePath("//a///b//", merge), {
    path: "/a/b/",
    match: "/a/b/",
    mergedSlashes: true,
    encodedSlashes: false,
    keptEscapes: null,
    delimiters: false,
  });
  assert.equal(canonicalizePath("/a//../b", merge), "path_dot_segment");
  assert.equal(canonicalizePath("/svc//upstream-b.example.test/x", STRICT_PATHS), "path_empty_segment");
  assert.equal((canonicalizePath("/svc/http://b/x", merge) as CanonicalPath).path, "/svc/http:/b/x");
});

test("allow_encoded_slashes keeps %2F encoded, matches it as /, and refuses what it would hide", () => {
  const enc: PathOptions = { mergeSlashes: false, allowEncodedSlashes: true };
  assert.deepEqual(canonicalizePath("/admin%2fusers", enc), {
    path: "/admin%2Fusers",
    match: "/admin/users",
    mergedSlashes: false,
    encodedSlashes: true,
    keptEscapes: new Set([0x2f]),
    delimiters: false,
  });
  assert.equal(canonicalizePath("/public%2F..%2Fadmin", enc), "path_dot_segment");
  assert.equal(canonicalizePath("/a/%2Fb", enc), "path_empty_segment");
  assert.equal(canonicalizePath("/a%2F%2Fb", { mergeSlashes: true, allowEncodedSlashes: true }), "path_empty_segment");
  assert.equal(canonicalizePath("/admin%2Fusers", STRICT_PATHS), "path_encoded_slash");
  assert.equal(forwardIndex("/admin%2Fusers/x", "/admin/users".length), "/admin%2Fusers".length);
});

test("each refusal has a stable reason", () => {
  const cases: Record<string, string> = {
    relative: "path_not_absolute",
    "/a%zz": "path_bad_escape",
    "/%c0%ae": "path_bad_utf8",
    "/a%00b": "path_encoded_delimiter",
    "/a\\b": "path_backslash",
    "/a#b": "path_fragment",
    "/a/../b": "path_dot_segment",
    "/a//b": "path_empty_segment",
    "/a./b": "path_trailing_dot",
    "/%C5%BF": "path_unicode_lookalike",
  };
  for (const [p, why] of Object.entries(cases)) assert.equal(canonicalizePath(p, STRICT_PATHS), why, p);
});

// Property: for ANY input and any options, the canonicalizer refuses or returns a path that is a
// fixed point (canonicalizing it again gives it back, unchanged flags aside) and that holds no
// dot segment and no empty segment, also once an allowed %2F is read as "/".
const pathChars = fc.constantFrom(
  "/",
  "/",
  "/",
  ".",
  ".",
  "a",
  "B",
  "~",
  "-",
  "_",
  ";",
  ":",
  "@",
  "!",
  "%",
  "2",
  "e",
  "E",
  "f",
  "F",
  "c",
  "0",
  "A",
  "5",
  "\\",
  "#",
  "?",
  "|",
  " ",
  "%2e",
  "%2E",
  "%2f",
  "%2F",
  "%5c",
  "%00",
  "%25",
  "%23",
  "%3f",
  "%3B",
  "%0a",
  "%7F",
  "%c0%ae",
  "%C3%A9",
  "%e2%82%ac",
  "%41",
  "%7e",
  "..",
  "//",
  "/./",
  "/../",
  "\u00e9",
  "\u0001",
);
const arbPath = fc.array(pathChars, { maxLength: 24 }).map((parts) => `/${parts.join("")}`);
const arbOptions = fc.record(
  {
    mergeSlashes: fc.boolean(),
    allowEncodedSlashes: fc.boolean(),
    allowEncoded: fc.constantFrom(new Set([0x5c]), new Set([0x09, 0x7f]), new Set([0x2f, 0x5c, 0x0a])),
  },
  { requiredKeys: ["mergeSlashes", "allowEncodedSlashes"] },
);

test("property: refusal or a canonical fixed point without /../, /./ or // (merge_slashes or not)", () => {
  fc.assert(
    fc.property(
      fc.oneof(arbPath, fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 })),
      arbOptions,
      (raw, opts) => {
        const c = canonicalizePath(raw, opts);
        if (typeof c === "string") return true;
        const again = canonicalizePath(c.path, opts);
        assert.notEqual(typeof again, "string", `canonical path ${JSON.stringify(c.path)} refused on a second pass`);
        assert.equal((again as CanonicalPath).path, c.path, "fixed point");
        assert.equal((again as CanonicalPath).match, c.match, "same match form");
        for (const form of [c.path, c.match]) {
          assert.ok(!form.includes("//"), `no empty segment in ${form}`);
          assert.ok(!/\/\.\.?(\/|$)/.test(form), `no dot segment in ${form}`);
          assert.ok(form.startsWith("/"));
        }
        assert.ok(!/[\\#?\s]/.test(c.path), "no backslash, fragment or whitespace");
        assert.equal(c.delimiters, /;|%3B|%3F|%23|%25/.test(c.path), "delimiters flags ;, %3B, %3F, %23, %25");
        assert.ok(!/%(?![0-9A-F]{2})/.test(c.path), "escapes are well-formed and upper case");
        if (!opts.allowEncodedSlashes && !opts.allowEncoded) assert.equal(c.match, c.path);
        if (c.keptEscapes === null) assert.ok(!/%(?:[01][0-9A-F]|7F|2F|5C)/.test(c.path), "no refused escape left");
        return true;
      },
    ),
    { numRuns: 3000 },
  );
});

test("property: a strict canonical path is accepted by every option set, unchanged", () => {
  fc.assert(
    fc.property(arbPath, arbOptions, (raw, opts) => {
      const strict = canonicalizePath(raw, STRICT_PATHS);
      if (typeof strict === "string") return true;
      const c = canonicalizePath(strict.path, opts) as CanonicalPath;
      assert.equal(c.path, strict.path);
      return true;
    }),
    { numRuns: 2000 },
  );
});
