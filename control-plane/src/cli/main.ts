import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { AdminClient, CliError } from "./admin-client.js";
import { compareWithHeld, type ManifestEntry, parseManifest } from "./manifest.js";
import { type CliIo, COLUMNS, table, yamlOf } from "./output.js";
import { readRuleSetDir, sameRuleSetFiles } from "./rule-set-dir.js";
import { eventsCommand, telemetryCommand } from "./telemetry-commands.js";

/** Kinds `get` lists, as named in the API path. */
const GET_KINDS = new Set([
  "upstreams",
  "routes",
  "policies",
  "consumers",
  "certificates",
  "nodes",
  "regions",
  "versions",
  "rollouts",
  "audit",
  "rule-sets",
]);
/** Kinds `delete` removes from the draft (nodes are revoked with `revoke`). */
const DELETE_KINDS = new Set(["upstreams", "routes", "policies", "consumers", "certificates", "rule-sets"]);
const SINGULAR: Record<string, string> = {
  upstream: "upstreams",
  route: "routes",
  policy: "policies",
  consumer: "consumers",
  certificate: "certificates",
  node: "nodes",
  region: "regions",
  version: "versions",
  rollout: "rollouts",
  "rule-set": "rule-sets",
  ruleset: "rule-sets",
  rulesets: "rule-sets",
};

/** `palisadectl --help`. */
export const USAGE = `palisadectl: manage a Palisade control plane through its admin API

Usage: palisadectl [--url URL] [--output table|json] <command>

  status                                  control plane, latest version, fleet summary
  get <kind> [name]                       list a kind, or show one (YAML; --output json)
                                          kinds: upstreams routes policies consumers certificates
                                          rule-sets nodes regions versions rollouts audit
  apply -f <file|-> [--publish] [-m MSG]  create or update resources by name (YAML or JSON),
                                          rule sets/upstreams/certificates/policies/consumers
                                          before routes; a rule set names its directory
  rule-set upload <dir> --name NAME [--description TEXT]
                                          upload a CRS v4 directory as a WAF rule set (created,
                                          or replaced when NAME exists) for waf policies to run
  delete <kind> <name>                    remove a draft resource
  publish [-m MSG] [--no-deploy]          publish the draft as a version (to every node at
                                          once, or only create it for a rollout)
  rollout start <version> [--strategy default|all-now] [--on-failure rollback|pause]
                          [--soak SECONDS]  (default strategy: each canary/region stage; 60)
  rollout status [id]                     one rollout (default: the newest)
  rollout pause|resume|promote|abort <id>
  join-token --region R [--ttl SECONDS] [--node-id ID]
                                          mint a single-use join token (printed once)
  revoke <node-id>                        revoke a node's certificate and disconnect it
  resync <node-id>                        send a node its desired version whole, compiled from
                                          scratch (also one it refused; audited)
  events [name=value ...] [--limit N]     newest security events; filters category, type, route,
                                          node, region, client, consumer, rule_id, since, until
  telemetry [set -f <file> [--publish]]   show (secrets redacted) or replace the telemetry config
                                          (SIEM sinks, per-node overrides, secret names)

Environment: PALISADE_ADMIN_URL (default http://127.0.0.1:8001) and PALISADE_ADMIN_TOKEN (the
admin bearer token; or --token-file FILE). Exit status: 0 done, 1 refused or failed, 2 usage.`;

/**
 * Runs one `palisadectl` command.
 * @param argv arguments after the program name
 * @param env environment (PALISADE_ADMIN_URL, PALISADE_ADMIN_TOKEN)
 * @returns the exit status: 0 done, 1 the API refused or the control plane was unreachable, 2 usage
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  try {
    await dispatch(argv, env, io);
    return 0;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const field = err.field ? ` (field ${err.field})` : "";
    io.err(`palisadectl: ${err.code}: ${err.message}${field}`);
    if (err.code === "USAGE") io.err("Run palisadectl --help for the commands.");
    return err.code === "USAGE" ? 2 : 1;
  }
}

const usage = (msg: string) => new CliError("USAGE", msg);

async function dispatch(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw usage((err as Error).message);
  }
  const { values: o, positionals: pos } = parsed;
  if (o.help || pos.length === 0) {
    io.out(USAGE);
    return;
  }
  const json = o.output === "json";
  if (o.output !== undefined && o.output !== "json" && o.output !== "table")
    throw usage(`--output must be table or json, not ${JSON.stringify(o.output)}`);
  let token = env.PALISADE_ADMIN_TOKEN;
  if (o["token-file"]) {
    try {
      token = readFileSync(o["token-file"], "utf8").trim();
    } catch (err) {
      throw usage(
        `cannot read --token-file ${o["token-file"]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  if (!token) throw usage("no admin token: set PALISADE_ADMIN_TOKEN or pass --token-file FILE");
  const api = new AdminClient({ url: o.url ?? env.PALISADE_ADMIN_URL ?? "http://127.0.0.1:8001", token });
  const print = (value: unknown, kind?: string) => {
    if (json) io.out(JSON.stringify(value, null, 2));
    else if (kind && Array.isArray(value))
      io.out(table(value, COLUMNS[kind] ?? [{ head: "name", cell: (r) => r.name }]));
    else io.out(yamlOf(value));
  };
  const [cmd, ...args] = pos;

  switch (cmd) {
    case "status": {
      const [info, versions, nodes] = await Promise.all([
        api.request<Record<string, unknown>>("GET", "/v1/info"),
        api.request<{ items: { version: number; message: string; created_at: string }[]; stable_version?: number }>(
          "GET",
          "/v1/config/versions?limit=1",
        ),
        api.request<{ items: { status: string; in_sync: boolean }[] }>("GET", "/v1/nodes"),
      ]);
      const latest = versions.items[0];
      const summary = {
        control_plane: `${info.name} ${info.version}`,
        latest_version: latest ? `v${latest.version} (${latest.created_at}) ${latest.message}` : "none published",
        stable_version: versions.stable_version
          ? `v${versions.stable_version} (what nodes outside a rollout run)`
          : "none",
        nodes: nodes.items.length,
        connected: nodes.items.filter((n) => n.status === "connected").length,
        in_sync: nodes.items.filter((n) => n.in_sync).length,
      };
      print(summary);
      return;
    }
    case "get": {
      const kind = kindOf(args[0], GET_KINDS, "get");
      const nameRefs = refNamer(api);
      const named = (r: Record<string, unknown>) => nameRefs(kind, r);
      if (args[1] !== undefined) {
        const one = await api.request<Record<string, unknown>>(
          "GET",
          `/v1/${pathOf(kind)}/${encodeURIComponent(args[1])}`,
        );
        print(await named(one));
        return;
      }
      const list = await api.request<{ items: Record<string, unknown>[] }>("GET", `/v1/${pathOf(kind)}`);
      print(await Promise.all(list.items.map(named)), kind);
      return;
    }
    case "apply": {
      if (!o.file) throw usage("apply needs -f <file> (or -f - for standard input)");
      let text: string;
      try {
        text = readFileSync(o.file === "-" ? 0 : o.file, "utf8");
      } catch (err) {
        throw usage(
          `cannot read ${o.file === "-" ? "standard input" : o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      const entries = parseManifest(text, o.file === "-" ? "stdin" : o.file);
      const base = o.file === "-" ? "." : dirname(o.file);
      const results: { kind: string; name: string; result: string; removed?: string[] }[] = [];
      const nameRefs = refNamer(api);
      const deferred: ManifestEntry[] = [];
      for (const e of entries) {
        const path = `/v1/${e.kind}/${encodeURIComponent(e.name)}`;
        let held: unknown;
        try {
          // The API holds references as ids; the manifest names them.
          held = await nameRefs(e.kind, await api.request("GET", path));
        } catch (err) {
          if (!(err instanceof CliError) || err.status !== 404) throw err;
        }
        let outcome: { result: string; removed: string[] };
        try {
          // A waf policy's exclusions may be scoped to routes that use the policy: applied
          // without those exclusions now, whole once the routes exist.
          const early = e.kind === "policies" ? await withoutMissingRoutes(api, e) : undefined;
          if (early) deferred.push(e);
          outcome =
            e.kind === "rule-sets"
              ? await applyRuleSet(api, e, held as Record<string, unknown> | undefined, base)
              : await applyResource(api, early ?? e, held as Record<string, unknown> | undefined);
        } catch (err) {
          if (err instanceof CliError)
            throw new CliError(err.code, `${e.source} (${e.kind}/${e.name}): ${err.message}`, err.status, err.field);
          throw err;
        }
        const { result, removed } = outcome;
        results.push({ kind: e.kind, name: e.name, result, ...(removed.length > 0 ? { removed } : {}) });
        if (!json)
          io.out(`${e.kind}/${e.name} ${result}${removed.length > 0 ? ` (removed: ${removed.join(", ")})` : ""}`);
      }
      for (const e of deferred) {
        try {
          await api.request("PUT", `/v1/${e.kind}/${encodeURIComponent(e.name)}`, e.body);
        } catch (err) {
          if (err instanceof CliError)
            throw new CliError(err.code, `${e.source} (${e.kind}/${e.name}): ${err.message}`, err.status, err.field);
          throw err;
        }
        if (!json) io.out(`${e.kind}/${e.name} configured (exclusions scoped to its routes)`);
      }
      if (o.publish) {
        const pub = await api.request<{ version: number }>("POST", "/v1/config/versions", { message: o.message ?? "" });
        if (!json) io.out(`published v${pub.version}`);
        if (json) io.out(JSON.stringify({ applied: results, published: pub }, null, 2));
      } else if (json) io.out(JSON.stringify({ applied: results }, null, 2));
      return;
    }
    case "delete": {
      const kind = kindOf(args[0], DELETE_KINDS, "delete");
      if (!args[1]) throw usage(`delete ${kind} needs a name`);
      await api.request("DELETE", `/v1/${kind}/${encodeURIComponent(args[1])}`);
      if (json) io.out(JSON.stringify({ deleted: `${kind}/${args[1]}` }));
      else io.out(`${kind}/${args[1]} deleted`);
      return;
    }
    case "publish": {
      const body: Record<string, unknown> = { message: o.message ?? "" };
      if (o["no-deploy"]) body.deploy = "none";
      const r = await api.request<{ version: number; created?: boolean }>("POST", "/v1/config/versions", body);
      if (json) io.out(JSON.stringify(r, null, 2));
      else if (r.created === false) io.out(`nothing changed: v${r.version} is the latest`);
      else io.out(`published v${r.version}${o["no-deploy"] ? " (not deployed: start a rollout)" : ""}`);
      return;
    }
    case "events":
      return eventsCommand(api, args, o.limit, json, io);
    case "telemetry":
      return telemetryCommand(api, args, o, json, io);
    case "rollout":
      await rollout(api, args, o, print, io, json);
      return;
    case "rule-set":
    case "ruleset": {
      if (args[0] !== "upload" || !args[1]) throw usage("rule-set upload <dir> --name NAME [--description TEXT]");
      if (!o.name) throw usage("rule-set upload needs --name NAME (e.g. crs-4.29.0)");
      const body = { name: o.name, directory: args[1], ...(o.description ? { description: o.description } : {}) };
      const entry: ManifestEntry = { kind: "rule-sets", name: o.name, body, source: args[1] };
      let held: Record<string, unknown> | undefined;
      try {
        held = await api.request("GET", `/v1/rule-sets/${encodeURIComponent(o.name)}`);
      } catch (err) {
        if (!(err instanceof CliError) || err.status !== 404) throw err;
      }
      const { result } = await applyRuleSet(api, entry, held, ".");
      const shown = await api.request<Record<string, unknown>>("GET", `/v1/rule-sets/${encodeURIComponent(o.name)}`);
      if (json) io.out(JSON.stringify({ result, rule_set: shown }, null, 2));
      else
        io.out(
          `rule-sets/${o.name} ${result}: ${shown.rules} rules, ${shown.bytes} bytes, CRS ${shown.crs_version ?? "-"}, hash ${String(shown.content_hash).slice(0, 12)}`,
        );
      return;
    }
    case "join-token": {
      if (!o.region) throw usage("join-token needs --region R");
      const body: Record<string, unknown> = { region: o.region };
      if (o.ttl !== undefined) body.ttl_s = positiveInt(o.ttl, "--ttl");
      if (o["node-id"]) body.node_id = o["node-id"];
      const r = await api.request<Record<string, unknown>>("POST", "/v1/nodes/join-tokens", body);
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`${r.token}\n(single use, region ${o.region}, expires ${r.expires_at ?? "-"}; shown once)`);
      return;
    }
    case "revoke": {
      if (!args[0]) throw usage("revoke needs a node id");
      const r = await api.request("POST", `/v1/nodes/${encodeURIComponent(args[0])}/revoke`, {});
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`node ${args[0]} revoked`);
      return;
    }
    case "resync": {
      if (!args[0]) throw usage("resync needs a node id");
      const r = await api.request<{ resync: { version: number } }>(
        "POST",
        `/v1/nodes/${encodeURIComponent(args[0])}/resync`,
        {},
      );
      if (json) io.out(JSON.stringify(r, null, 2));
      else
        io.out(
          `node ${args[0]}: version ${r.resync.version} sent whole, to compile from scratch (its ACK or NACK shows in \`get nodes\`)`,
        );
      return;
    }
    default:
      throw usage(`unknown command ${JSON.stringify(cmd)}`);
  }
}

async function rollout(
  api: AdminClient,
  args: readonly string[],
  o: ReturnType<typeof parse>["values"],
  print: (value: unknown, kind?: string) => void,
  io: CliIo,
  json: boolean,
): Promise<void> {
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
      print((await api.request<{ items: unknown[] }>("GET", "/v1/rollouts")).items, "rollouts");
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

/**
 * Applies one manifest entry of an ordinary kind: created when the API does not hold it,
 * replaced when it differs (the manifest is the whole resource), else unchanged.
 */
async function applyResource(
  api: AdminClient,
  e: ManifestEntry,
  held: Record<string, unknown> | undefined,
): Promise<{ result: string; removed: string[] }> {
  const diff = held === undefined ? undefined : compareWithHeld(e.body, held);
  if (diff === undefined) await api.request("POST", `/v1/${e.kind}`, e.body);
  else if (!diff.same) await api.request("PUT", `/v1/${e.kind}/${encodeURIComponent(e.name)}`, e.body);
  const result = diff === undefined ? "created" : diff.same ? "unchanged" : "configured";
  return { result, removed: diff && !diff.same ? diff.removed : [] };
}

/**
 * A waf policy entry whose exclusions name routes the API does not hold yet, without those
 * exclusions (to apply before the routes); undefined when every route it names exists.
 */
async function withoutMissingRoutes(api: AdminClient, e: ManifestEntry): Promise<ManifestEntry | undefined> {
  if (e.body.type !== "waf") return undefined;
  const config = (e.body.config ?? {}) as { exclusions?: Array<{ routes?: string[] }> };
  const named = (config.exclusions ?? []).flatMap((x) => x.routes ?? []);
  if (named.length === 0) return undefined;
  const held = await api.request<{ items: { id: string; name: string }[] }>("GET", "/v1/routes");
  const known = new Set(held.items.flatMap((r) => [r.id, r.name]));
  if (named.every((r) => known.has(r))) return undefined;
  const exclusions = (config.exclusions ?? []).filter((x) => !x.routes?.length);
  return { ...e, body: { ...e.body, config: { ...config, exclusions } } };
}

/**
 * Applies a rule set entry (`{name, directory, description?}`): reads the directory (relative to
 * `base`), then creates the rule set, replaces it when a file or the description differs, or
 * leaves it.
 */
async function applyRuleSet(
  api: AdminClient,
  e: ManifestEntry,
  held: Record<string, unknown> | undefined,
  base: string,
): Promise<{ result: string; removed: string[] }> {
  const files = await readRuleSetDir(e.body.directory as string, base);
  const description = e.body.description as string | undefined;
  const body = {
    name: e.name,
    ...(description !== undefined ? { description } : {}),
    files: files.map((f) => ({ path: f.path, content_base64: f.content_base64 })),
  };
  if (held === undefined) {
    await api.request("POST", "/v1/rule-sets", body);
    return { result: "created", removed: [] };
  }
  if (sameRuleSetFiles(files, held) && held.description === description) return { result: "unchanged", removed: [] };
  await api.request("PUT", `/v1/rule-sets/${encodeURIComponent(e.name)}`, body);
  return { result: "configured", removed: [] };
}

/**
 * Names references: returns a function giving a resource as the API shows it with the ids it
 * references replaced by names — a route's upstream and policies, a waf policy's rule set and
 * exclusion routes (and, when it is the default rule set, none: a manifest that names no rule
 * set means the default). The lists are fetched once, on first use (in `apply`, after every
 * resource they name was applied), not once per resource.
 */
function refNamer(api: AdminClient): (kind: string, r: Record<string, unknown>) => Promise<Record<string, unknown>> {
  const lists = new Map<string, Promise<Map<string, Record<string, unknown>>>>();
  const byId = (kind: string) => {
    let p = lists.get(kind);
    if (!p) {
      p = api
        .request<{ items: Record<string, unknown>[] }>("GET", `/v1/${kind}`)
        .then((list) => new Map(list.items.map((r) => [r.id as string, r])));
      lists.set(kind, p);
    }
    return p;
  };
  const nameOf = async (kind: string, id: unknown) => ((await byId(kind)).get(id as string)?.name as string) ?? id;
  return async (kind, r) => {
    if (kind === "routes") {
      const out: Record<string, unknown> = { ...r, upstream: await nameOf("upstreams", r.upstream) };
      if (Array.isArray(r.policies)) out.policies = await Promise.all(r.policies.map((id) => nameOf("policies", id)));
      return out;
    }
    if (kind !== "policies" || r.type !== "waf") return r;
    const c = { ...(r.config as Record<string, unknown>) };
    const ruleSet = (await byId("rule-sets")).get(c.rule_set as string);
    if (ruleSet?.default === true) delete c.rule_set;
    else if (ruleSet) c.rule_set = ruleSet.name;
    if (Array.isArray(c.exclusions))
      c.exclusions = await Promise.all(
        (c.exclusions as Record<string, unknown>[]).map(async (x) =>
          Array.isArray(x.routes) ? { ...x, routes: await Promise.all(x.routes.map((id) => nameOf("routes", id))) } : x,
        ),
      );
    return { ...r, config: c };
  };
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

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string" },
      "token-file": { type: "string" },
      output: { type: "string", short: "o" },
      file: { type: "string", short: "f" },
      message: { type: "string", short: "m" },
      publish: { type: "boolean" },
      "no-deploy": { type: "boolean" },
      strategy: { type: "string" },
      "on-failure": { type: "string" },
      soak: { type: "string" },
      region: { type: "string" },
      ttl: { type: "string" },
      "node-id": { type: "string" },
      limit: { type: "string" },
      name: { type: "string" },
      description: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function kindOf(raw: string | undefined, allowed: ReadonlySet<string>, cmd: string): string {
  const kind = raw === undefined ? undefined : (SINGULAR[raw] ?? raw);
  if (!kind || !allowed.has(kind)) throw usage(`${cmd} needs a kind: ${[...allowed].join(", ")}`);
  return kind;
}

/** API path of a kind (`versions` live under `/v1/config`). */
function pathOf(kind: string): string {
  return kind === "versions" ? "config/versions" : kind;
}

function nonNegativeInt(raw: string, name: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(raw))
    throw usage(`${name} must be a whole number of seconds, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

function positiveInt(raw: string, name: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw usage(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return Number(raw);
}
