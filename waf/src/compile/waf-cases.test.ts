import { deepStrictEqual } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { utf8Bytes } from "../bytes.js";
import type { Header } from "../engine/input.js";
import { compileWaf } from "./waf.js";

// The W (attack) and B (benign) cases of Palisade's case corpus (test-fixtures/waf-cases.json,
// copied from the shared corpus), through CRS v4.28.0 alone at paranoia level 1 in block mode.
// Each request is sent with the headers a real client sends: the case's headers plus curl's
// defaults (User-Agent: curl/8.5.0, Accept: */*) and, for a body, Content-Length and — as
// `curl --data` does — Content-Type: application/x-www-form-urlencoded when the case gives none.
// W43 is an HTTP/1.0 request (the case says so). This records what CRS alone blocks: Palisade's
// own rules for the misses come later (issue 14); the expectations below are today's figures.
interface Case {
  id: string;
  note?: string;
  request: { method: string; target: string; headers: [string, string][]; body: string };
}
const file = fileURLToPath(new URL("../../test-fixtures/waf-cases.json", import.meta.url));
const cases = (JSON.parse(readFileSync(file, "utf8")) as { cases: Case[] }).cases;
const rs = compileWaf({ paranoiaLevel: 1 });

function run(c: Case): { status: number | null; rules: number[] } {
  const headers: Header[] = c.request.headers.map(([k, v]) => [utf8Bytes(k), utf8Bytes(v)]);
  const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
  if (!has("user-agent")) headers.push(["User-Agent", "curl/8.5.0"]);
  if (!has("accept")) headers.push(["Accept", "*/*"]);
  const body = utf8Bytes(c.request.body);
  if (body.length > 0 && !has("content-type")) headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
  if (body.length > 0) headers.push(["Content-Length", String(body.length)]);
  const tx = rs.newTransaction({
    method: c.request.method,
    target: utf8Bytes(c.request.target),
    protocol: c.note?.includes("HTTP/1.0") ? "HTTP/1.0" : "HTTP/1.1",
    headers,
    remoteAddress: "203.0.113.50",
    remotePort: 40000,
  });
  const stop = tx.processRequestHeaders() ?? tx.processRequestBody(body);
  return { status: stop?.status ?? null, rules: tx.matchedRules.map((r) => r.id) };
}

// CRS at PL1 misses W07 and W27 (PL2 rules) and W41 (920250 scores 3, under the threshold of
// 5), as ModSecurity 3 does; W19 is stopped by the engine's strict multipart check (200003: the
// body's bare LF line ends), not by 930110.
const missed = new Set(["W07", "W27", "W41"]);
for (const c of cases.filter((x) => x.id.startsWith("W")))
  test(`${c.id}: ${missed.has(c.id) ? "passes CRS at PL1 (a miss, reported)" : "blocked by CRS at PL1"}`, () => {
    const r = run(c);
    deepStrictEqual(r.status === null, missed.has(c.id), `${c.id}: status ${r.status}, rules ${r.rules.join(",")}`);
  });

// B15 (`<?xml …?>` in a parameter) is blocked by 941100 (libinjection XSS), as by ModSecurity.
const falsePositives = new Set(["B15"]);
for (const c of cases.filter((x) => x.id.startsWith("B")))
  test(`${c.id}: ${falsePositives.has(c.id) ? "blocked (a false positive, reported)" : "passes"}`, () => {
    const r = run(c);
    deepStrictEqual(
      r.status !== null,
      falsePositives.has(c.id),
      `${c.id}: status ${r.status}, rules ${r.rules.join(",")}`,
    );
  });
