import { CliError } from "./admin-client.js";
import { type CliContext, nonNegativeInt, positiveInt, usage } from "./context.js";

/** `palisadectl rollout start|status|list|pause|resume|promote|abort`. */
export async function rollout(ctx: CliContext, args: readonly string[]): Promise<void> {
  const { o, io } = ctx;
  const api = ctx.api();
  const json = ctx.format === "json";
  const [action, arg] = args;
  switch (action) {
    case "start": {
      if (!arg) throw usage("rollout start needs a version number");
      const body: Record<string, unknown> = {
        version: positiveInt(arg, "version"),
        strategy: o.strategy ?? "default",
      };
      if (o["on-failure"]) body.on_failure = o["on-failure"];
      if (o.soak !== undefined) body.soak_s = nonNegativeInt(o.soak, "--soak");
      const r = await api.request<{ id: string; state: string }>("POST", "/v1/rollouts", body);
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`rollout ${r.id} started (${r.state})`);
      return;
    }
    case "status": {
      let id = arg;
      if (!id) {
        const list = await api.request<{ items: { id: string }[] }>("GET", "/v1/rollouts");
        if (!list.items[0]) throw new CliError("NOT_FOUND", "no rollout yet", 404);
        id = list.items[0].id;
      }
      const r = await api.request<Record<string, unknown>>("GET", `/v1/rollouts/${encodeURIComponent(id)}`);
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(rolloutText(r));
      return;
    }
    case "list":
      ctx.print((await api.request<{ items: unknown[] }>("GET", "/v1/rollouts")).items, "rollouts");
      return;
    case "pause":
    case "resume":
    case "promote":
    case "abort": {
      if (!arg) throw usage(`rollout ${action} needs a rollout id`);
      const r = await api.request<Record<string, unknown>>(
        "POST",
        `/v1/rollouts/${encodeURIComponent(arg)}/${action}`,
        {},
      );
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`rollout ${arg}: ${r.state}`);
      return;
    }
    default:
      throw usage(`rollout needs start, status, list, pause, resume, promote or abort`);
  }
}

/** A rollout as an operator reads it: state, then each stage with its nodes and gate values. */
function rolloutText(r: Record<string, unknown>): string {
  const lines = [`rollout ${r.id}: v${r.previous_version ?? "?"} -> v${r.version}, ${r.state}`];
  const stages = (r.stages ?? []) as {
    name: string;
    state: string;
    nodes?: { id: string; applied_version?: number }[];
    gates?: { metric: string; value: number | null; threshold: number; verdict: string }[];
  }[];
  stages.forEach((s, i) => {
    const nodes = (s.nodes ?? []).map((n) => `${n.id}@v${n.applied_version ?? "?"}`).join(" ");
    lines.push(`  ${i + 1}. ${s.name.padEnd(16)} ${s.state.padEnd(12)} ${nodes}`);
    for (const g of s.gates ?? [])
      lines.push(`       ${g.metric} ${g.value === null ? "-" : round(g.value)} (max ${g.threshold}) ${g.verdict}`);
  });
  const events = ((r.events ?? []) as { at: string; type: string; message: string }[]).slice(-5);
  if (events.length > 0) lines.push("  recent events:");
  for (const e of events) lines.push(`    ${e.at} ${e.type}: ${e.message}`);
  return lines.join("\n");
}

/** A gate value as people read it: 4 significant digits at most. */
function round(n: number): string {
  return String(Number(n.toPrecision(4)));
}
