import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { AdminClient, CliError } from "./admin-client.js";
import { ANOMALY_USAGE, anomaliesCommand } from "./anomaly-commands.js";
import {
  CLI_FLAGS,
  type CliContext,
  type CliOptions,
  EXIT,
  type OutputFormat,
  positiveInt,
  printer,
  readPem,
  usage,
} from "./context.js";
import { apply, diff, dump, openapi, syncCommand, validate } from "./gitops-commands.js";
import { type CliIo, type PublishAnswer, printPublishWarnings } from "./output.js";
import { refNamer } from "./ref-names.js";
import { rollout } from "./rollout-commands.js";
import { ruleSetCommand } from "./rule-set-commands.js";
import { eventsCommand, telemetryCommand } from "./telemetry-commands.js";
import { roles, tokens } from "./token-commands.js";

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
  "tokens",
  "roles",
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
  token: "tokens",
  role: "roles",
  "rule-set": "rule-sets",
  ruleset: "rule-sets",
  rulesets: "rule-sets",
};

/** `palisadectl --help`. */
export const USAGE = `palisadectl: manage a Palisade control plane through its admin API

Usage: palisadectl [--url URL] [--output table|json|yaml] <command>

  status                                  control plane, latest version, fleet summary
  get <kind> [name]                       list a kind, or show one (YAML; -o json)
                                          kinds: upstreams routes policies consumers certificates
                                          rule-sets nodes regions versions rollouts audit tokens roles
  apply -f <file|-> [--publish] [-m MSG] [--force]
                                          create or replace the listed resources, all or nothing
                                          (a rule set names its CRS directory, read from disk)
  rule-set upload <dir> --name NAME [--description TEXT]
                                          upload a CRS v4 directory as a WAF rule set (created,
                                          or replaced when NAME exists) for waf policies to run
  delete <kind> <name>                    remove a draft resource
  dump                                    the whole draft as one declarative YAML file
  diff -f <file> [--no-prune]             what sync --prune would change (exit 3 when anything)
  sync -f <file> [--prune] [--dry-run] [--force] [--publish] [-m MSG]
                                          make the draft what the file says: the plan first,
                                          then one transaction (a file with an error changes
                                          nothing); --prune deletes what the file leaves out
  validate -f <file>                      check a file offline with the control plane's own code
  openapi import <spec> [--upstream-url URL] [--prefix NAME] [--host H]… [--jwks-url URL] [--issuer ISS]
                                          an OpenAPI 3 description as a file for sync (offline)
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
  tokens list [--role R] | whoami
  tokens create <name> --role ROLE [--region R]… [--route-prefix /p]… [--ttl SECONDS]
  tokens rotate <id> [--ttl SECONDS] | tokens revoke <id>
                                          API tokens (a secret is printed once)
  roles list | put <name> --permission resource:verb… [--description D] | delete <name>
  events [name=value ...] [--limit N]     newest security events (route names, WAF attack rules);
                                          filters category, type, route, node, region, client,
                                          consumer, rule_id, since, until
  telemetry [set -f <file> [--publish]]   show (secrets redacted) or replace the telemetry config
                                          (SIEM sinks, per-node overrides, secret names)
${ANOMALY_USAGE}

Environment: PALISADE_ADMIN_URL (default http://127.0.0.1:8001) and PALISADE_ADMIN_TOKEN (the
bearer token; or --token-file FILE). An https:// admin listener: --cacert FILE (or
PALISADE_ADMIN_CACERT) to verify it, --cert/--key FILE (PALISADE_ADMIN_CERT/KEY) when it asks for
a client certificate. Exit status: 0 done (diff: no difference), 1 refused, invalid or
unreachable, 2 usage, 3 diff found differences.`;

/**
 * Runs one \`palisadectl\` command.
 * @param argv arguments after the program name
 * @param env environment (PALISADE_ADMIN_URL, PALISADE_ADMIN_TOKEN, PALISADE_ADMIN_CACERT/CERT/KEY)
 * @returns the exit status (context.ts EXIT): 0 done, 1 refused/invalid/unreachable, 2 usage, 3 differences
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let client: AdminClient | undefined;
  try {
    return await dispatch(argv, env, io, (c) => {
      client = c;
    });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const field = err.field ? ` (field ${err.field})` : "";
    io.err(`palisadectl: ${err.code}: ${err.message}${field}`);
    if (err.code === "USAGE") io.err("Run palisadectl --help for the commands.");
    return err.code === "USAGE" ? EXIT.USAGE : EXIT.FAILED;
  } finally {
    await client?.close();
  }
}

/** The admin API client of a run: URL, token and TLS from flags, then the environment. */
function clientOf(o: CliOptions, env: NodeJS.ProcessEnv): AdminClient {
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
  const ca = o.cacert ?? env.PALISADE_ADMIN_CACERT;
  const cert = o.cert ?? env.PALISADE_ADMIN_CERT;
  const key = o.key ?? env.PALISADE_ADMIN_KEY;
  if ((cert === undefined) !== (key === undefined)) throw usage("--cert and --key go together");
  const tls = {
    ...(ca ? { ca: readPem(ca, "--cacert") } : {}),
    ...(cert && key ? { cert: readPem(cert, "--cert"), key: readPem(key, "--key") } : {}),
  };
  return new AdminClient({ url: o.url ?? env.PALISADE_ADMIN_URL ?? "http://127.0.0.1:8001", token, tls });
}

async function dispatch(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  onClient: (c: AdminClient) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw usage((err as Error).message);
  }
  const { values: o, positionals: pos } = parsed;
  if (o.help || pos.length === 0) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const format = (o.output ?? "table") as OutputFormat;
  if (!["table", "json", "yaml"].includes(format))
    throw usage(`--output must be table, json or yaml, not ${JSON.stringify(o.output)}`);
  const json = format === "json";
  let client: AdminClient | undefined;
  const ctx: CliContext = {
    o,
    io,
    format,
    api: () => {
      if (!client) {
        client = clientOf(o, env);
        onClient(client);
      }
      return client;
    },
    print: printer(io, format),
  };
  const print = ctx.print;
  const [cmd, ...args] = pos;

  switch (cmd) {
    case "validate":
      return validate(ctx);
    case "openapi":
      return openapi(ctx, args);
    case "dump":
      return dump(ctx);
    case "diff":
      return diff(ctx);
    case "sync":
      return syncCommand(ctx);
    case "apply":
      return apply(ctx);
    case "tokens":
      return tokens(ctx, args);
    case "roles":
      return roles(ctx, args);
    case "rollout":
      await rollout(ctx, args);
      return EXIT.OK;
    case "rule-set":
    case "ruleset":
      return ruleSetCommand(ctx, args);
    case "events":
      await eventsCommand(ctx.api(), args, o.limit, json, io);
      return EXIT.OK;
    case "telemetry":
      await telemetryCommand(ctx.api(), args, o, json, io);
      return EXIT.OK;
    case "anomalies":
    case "anomaly":
      await anomaliesCommand(ctx.api(), args, o, json, io);
      return EXIT.OK;
  }
  const api = ctx.api();
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
      return EXIT.OK;
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
        return EXIT.OK;
      }
      const list = await api.request<{ items: Record<string, unknown>[] }>("GET", `/v1/${pathOf(kind)}`);
      print(await Promise.all(list.items.map(named)), kind);
      return EXIT.OK;
    }
    case "delete": {
      const kind = kindOf(args[0], DELETE_KINDS, "delete");
      if (!args[1]) throw usage(`delete ${kind} needs a name`);
      await api.request("DELETE", `/v1/${kind}/${encodeURIComponent(args[1])}`);
      if (json) io.out(JSON.stringify({ deleted: `${kind}/${args[1]}` }));
      else io.out(`${kind}/${args[1]} deleted`);
      return EXIT.OK;
    }
    case "publish": {
      const body: Record<string, unknown> = { message: o.message ?? "" };
      if (o["no-deploy"]) body.deploy = "none";
      const r = await api.request<PublishAnswer>("POST", "/v1/config/versions", body);
      printPublishWarnings(io, r);
      if (json) io.out(JSON.stringify(r, null, 2));
      else if (r.created === false) io.out(`nothing changed: v${r.version} is the latest`);
      else io.out(`published v${r.version}${o["no-deploy"] ? " (not deployed: start a rollout)" : ""}`);
      return EXIT.OK;
    }
    case "join-token": {
      const region = o.region?.[0];
      if (!region || o.region!.length > 1) throw usage("join-token needs one --region R");
      const body: Record<string, unknown> = { region };
      if (o.ttl !== undefined) body.ttl_s = positiveInt(o.ttl, "--ttl");
      if (o["node-id"]) body.node_id = o["node-id"];
      const r = await api.request<Record<string, unknown>>("POST", "/v1/nodes/join-tokens", body);
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`${r.token}\n(single use, region ${region}, expires ${r.expires_at ?? "-"}; shown once)`);
      return EXIT.OK;
    }
    case "revoke": {
      if (!args[0]) throw usage("revoke needs a node id");
      const r = await api.request("POST", `/v1/nodes/${encodeURIComponent(args[0])}/revoke`, {});
      if (json) io.out(JSON.stringify(r, null, 2));
      else io.out(`node ${args[0]} revoked`);
      return EXIT.OK;
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
      return EXIT.OK;
    }
    default:
      throw usage(`unknown command ${JSON.stringify(cmd)}`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CLI_FLAGS });
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
