#!/usr/bin/env node
// Micro-benchmark: the WAF's primitives (waf/src/transformations, waf/src/body) — ns per call of
// every transformation on typical argument values, and of each request body processor on a 1 KB
// and a 16 KB JSON document, a 1 KB form, a 1 KB and 16 KB XML document and a 100 KB
// multipart upload. In-process, single thread, no network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/waf-primitives.mjs [--ms 1000] [--only name]
import os from "node:os";
import { parseArgs } from "node:util";
import { parseJson, parseMultipart, parseUrlencoded, parseXml } from "../../waf/dist/body/index.js";
import { TRANSFORMATIONS } from "../../waf/dist/transformations/index.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "1000" }, only: { type: "string" } } });
const budgetMs = Number(values.ms);
const latin1 = (s) => Buffer.from(s, "utf8").toString("latin1");

/**
 * Calls `fn(i)` for about budgetMs of wall time; returns CPU ns (user + system) per call, which
 * the other jobs sharing this machine's 2 cores disturb less than wall time does.
 */
function measure(fn) {
  for (let i = 0; i < 5_000; i++) fn(i); // warm-up (JIT)
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    for (let i = 0; i < 200; i++) fn(n + i);
    n += 200;
  }
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1e3) / n;
}

// Typical ARGS values a rule chain sees: mostly benign, some encoded, one attack.
const inputs = [
  "john.smith@example.com",
  "2024-05-17",
  "search term with spaces and a few words",
  "Caf%C3%A9%20au%20lait%2C%20s%27il%20vous%20pla%C3%AEt",
  latin1("Grüße aus Zürich – ＜script＞"),
  "<script>alert(document.cookie)</script>&amp;&#x3c;",
  "/var/www/../../etc/./passwd",
  "SELECT * FROM users WHERE id = 1 /* comment */ -- x",
];
const rows = [];
let sink = 0;
for (const [name, fn] of TRANSFORMATIONS) {
  if (values.only && !name.includes(values.only.toLowerCase())) continue;
  const ns = measure((i) => {
    sink += fn(inputs[i & 7]).length;
  });
  rows.push([`t:${name}`, ns]);
}

// Request bodies.
const jsonOf = (bytes) => {
  const items = [];
  let i = 0;
  while (JSON.stringify({ items }).length < bytes) {
    items.push({
      id: i,
      name: `user ${i}`,
      email: `user${i}@example.com`,
      active: i % 2 === 0,
      tags: ["a", "b"],
      bio: `Joined in ${2000 + (i % 20)}; likes hiking, photography and long walks. Notes: "quoted" text, a \\ backslash and é.`,
    });
    i++;
  }
  return JSON.stringify({ items });
};
const json1k = jsonOf(1024);
const json16k = jsonOf(16 * 1024);
const form1k = Array.from({ length: 40 }, (_, i) => `field${i}=value%20${i}+text`)
  .join("&")
  .slice(0, 1024);
const xmlOf = (bytes) => {
  let s = '<?xml version="1.0"?><orders>';
  for (let i = 0; s.length < bytes; i++)
    s += `<order id="${i}" status="open"><item sku="A-${i}">Widget &amp; co</item><qty>${i}</qty></order>`;
  return `${s}</orders>`;
};
const xml1k = xmlOf(1024);
const xml16k = xmlOf(16 * 1024);
const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const file = Buffer.alloc(100 * 1024, 0)
  .map((_, i) => (i * 31 + 7) & 0xff)
  .toString("latin1");
const multipart100k = [
  `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday photo\r\n`,
  `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${file}\r\n`,
  `--${boundary}--\r\n`,
].join("");
const ct = `multipart/form-data; boundary=${boundary}`;
for (const [name, fn] of [
  [`JSON ${json1k.length} B`, () => parseJson(json1k)],
  [`JSON ${json16k.length} B`, () => parseJson(json16k)],
  [`URLENCODED ${form1k.length} B`, () => parseUrlencoded(form1k)],
  [`XML ${xml1k.length} B`, () => parseXml(xml1k)],
  [`XML ${xml16k.length} B`, () => parseXml(xml16k)],
  [`MULTIPART ${multipart100k.length} B (one 100 KiB file)`, () => parseMultipart(multipart100k, ct)],
]) {
  if (values.only && !name.toLowerCase().includes(values.only.toLowerCase())) continue;
  if (fn().error !== null) throw new Error(`${name}: ${fn().error}`);
  rows.push([name, measure(() => (sink += fn().args.length))]);
}

console.log(
  `WAF primitives, ${budgetMs} ms per row, load average ${os.loadavg()[0].toFixed(1)}${sink > 0 ? "" : " (no output?)"}`,
);
console.log("| primitive | CPU ns/call | calls/s of one core |");
console.log("| --- | ---: | ---: |");
for (const [name, ns] of rows)
  console.log(`| ${name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString("en")} |`);
