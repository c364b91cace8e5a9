/**
 * Wazuh's ruleset test files (ruleset/testing/tests/*.ini, read by runtests.py with Python's
 * ConfigParser): `[section]` then `log N pass = <line>` / `log N fail = <line>`, `rule = id`,
 * `alert = level`, `decoder = name`; `;` or `#` starts a comment line.
 */

/** One section: logs that must (pass) or must not (fail) produce `rule` at level `alert`. */
export interface RuntestsCase {
  readonly section: string;
  readonly rule: number;
  readonly alert: number;
  readonly decoder: string;
  readonly logs: readonly { readonly name: string; readonly pass: boolean; readonly line: string }[];
}

/**
 * Parses a runtests .ini text.
 * @throws Error naming the section that lacks rule, alert or decoder
 */
export function parseRuntestsIni(text: string): RuntestsCase[] {
  const out: RuntestsCase[] = [];
  let cur: { section: string; values: Map<string, string>; logs: RuntestsCase["logs"][number][] } | null = null;
  const flush = () => {
    if (!cur) return;
    const get = (k: string) => {
      const v = cur!.values.get(k);
      if (v === undefined) throw new Error(`[${cur!.section}] has no ${k}`);
      return v;
    };
    out.push({
      section: cur.section,
      rule: Number(get("rule")),
      alert: Number(get("alert")),
      decoder: get("decoder"),
      logs: cur.logs,
    });
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || /^\s*[;#]/.test(line)) continue;
    const sec = /^\[(.+)\]\s*$/.exec(line);
    if (sec) {
      flush();
      cur = { section: sec[1]!, values: new Map(), logs: [] };
      continue;
    }
    const eq = line.indexOf("=");
    if (!cur || eq < 0) throw new Error(`not a key = value line: ${line.slice(0, 60)}`);
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    const log = /^log (\S+) (pass|fail)$/.exec(key);
    if (log) cur.logs.push({ name: key, pass: log[2] === "pass", line: value });
    else cur.values.set(key, value);
  }
  flush();
  return out;
}
