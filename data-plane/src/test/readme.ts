import { readFileSync } from "node:fs";

/** The package README's text (tests keep it in step with the code). */
export function readmeText(): string {
  return readFileSync(new URL("../../README.md", import.meta.url), "utf8");
}

/**
 * The body of the first fenced code block after the heading `heading` (e.g. "## Request lifecycle").
 * @throws Error when the heading or the block is missing
 */
export function codeBlockAfter(text: string, heading: string): string {
  const at = text.indexOf(`\n${heading}\n`);
  if (at === -1) throw new Error(`README has no "${heading}" heading`);
  const open = text.indexOf("```", at);
  const close = text.indexOf("```", open + 3);
  if (open === -1 || close === -1) throw new Error(`README has no code block after "${heading}"`);
  return text.slice(text.indexOf("\n", open) + 1, close);
}

/** Rows of the first markdown table after `heading`, as arrays of trimmed cells (header and rule excluded). */
export function tableAfter(text: string, heading: string): string[][] {
  const at = text.indexOf(`\n${heading}\n`);
  if (at === -1) throw new Error(`README has no "${heading}" heading`);
  const lines = text.slice(at).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    rows.push(
      lines[i]!.slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
  }
  return rows;
}
