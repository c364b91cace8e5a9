import { CliError } from "./admin-client.js";
import { type CliContext, EXIT, usage } from "./context.js";
import { readRuleSetDir, sameRuleSetFiles } from "./rule-set-dir.js";

/**
 * `palisadectl rule-set upload DIR --name NAME [--description TEXT]`: reads a CRS v4 directory and
 * creates the rule set, replaces it when a file or the description differs, or leaves it.
 * @returns EXIT.OK
 * @throws CliError USAGE (no directory or name, unreadable directory) or the API's refusal
 */
export async function ruleSetCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { o } = ctx;
  if (args[0] !== "upload" || !args[1]) throw usage("rule-set upload <dir> --name NAME [--description TEXT]");
  if (!o.name) throw usage("rule-set upload needs --name NAME (e.g. crs-4.29.0)");
  const api = ctx.api();
  const path = `/v1/rule-sets/${encodeURIComponent(o.name)}`;
  let held: Record<string, unknown> | undefined;
  try {
    held = await api.request("GET", path);
  } catch (err) {
    if (!(err instanceof CliError) || err.status !== 404) throw err;
  }
  const files = await readRuleSetDir(args[1]);
  const body = {
    name: o.name,
    ...(o.description !== undefined ? { description: o.description } : {}),
    files: files.map((f) => ({ path: f.path, content_base64: f.content_base64 })),
  };
  let result = "unchanged";
  if (held === undefined) {
    await api.request("POST", "/v1/rule-sets", body);
    result = "created";
  } else if (!sameRuleSetFiles(files, held) || held.description !== o.description) {
    await api.request("PUT", path, body);
    result = "configured";
  }
  const shown = await api.request<Record<string, unknown>>("GET", path);
  if (ctx.format === "table")
    ctx.io.out(
      `rule-sets/${o.name} ${result}: ${shown.rules} rules, ${shown.bytes} bytes, CRS ${shown.crs_version ?? "-"}, hash ${String(shown.content_hash).slice(0, 12)}`,
    );
  else ctx.print({ result, rule_set: shown });
  return EXIT.OK;
}
