import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { load } from "js-yaml";
import { API_ERRORS, DomainError } from "../errors.js";
import type { ConfigDocument } from "../gitops/document.js";
import type { PlanChange, SyncPlan } from "../gitops/plan.js";
import { CliError } from "./admin-client.js";
import { type CliContext, EXIT, readInput, usage } from "./context.js";
import { readManifest, toDocument } from "./manifest.js";
import { type PublishAnswer, printPublishWarnings, yamlOf } from "./output.js";
import { readRuleSetDir } from "./rule-set-dir.js";

/** The answer of `POST /v1/config/sync`. */
type SyncAnswer = SyncPlan & { dry_run: boolean; changed: boolean };

const SIGN: Record<string, string> = { create: "+", update: "~", delete: "-", unchanged: " " };

/** A manifest file as a configuration document, rule sets read from their directories. */
async function documentOf(ctx: CliContext, cmd: string): Promise<Record<string, unknown>> {
  const { text, name } = readInput(ctx.o, cmd);
  return withRuleSetFiles(toDocument(readManifest(text, name)), ctx.o.file);
}

/**
 * A document whose rule sets that name a `directory` carry that directory's files instead (read
 * relative to the manifest's folder); other rule sets (`content_hash` of the stored files, or
 * `files`) stay as they are.
 * @throws CliError USAGE when a directory cannot be read
 */
async function withRuleSetFiles(
  doc: Record<string, unknown>,
  file: string | undefined,
): Promise<Record<string, unknown>> {
  const ruleSets = doc["rule-sets"] as Record<string, unknown>[] | undefined;
  if (!ruleSets?.some((r) => typeof r.directory === "string")) return doc;
  const base = file === undefined || file === "-" ? "." : dirname(file);
  const read = await Promise.all(
    ruleSets.map(async ({ directory, ...rest }) => {
      if (typeof directory !== "string") return rest;
      const files = await readRuleSetDir(directory, base);
      return { ...rest, files: files.map((f) => ({ path: f.path, content_base64: f.content_base64 })) };
    }),
  );
  return { ...doc, "rule-sets": read };
}

/** The lines of a plan as people read it: one per change, a YAML diff under each update. */
function planText(plan: SyncPlan, withDiff: boolean): string[] {
  const lines: string[] = [];
  for (const c of plan.changes) {
    if (c.action === "unchanged") continue;
    lines.push(
      `${SIGN[c.action]} ${c.kind}/${c.name}${c.action === "update" && c.removed ? ` (removes: ${c.removed.join(", ")})` : ""}`,
    );
    if (withDiff && c.action === "update") lines.push(...bodyDiff(c));
  }
  for (const r of plan.removals) lines.push(`! ${r.resource} loses ${r.type} policy ${r.policy}`);
  const n = plan.counts;
  lines.push(`${n.create} to create, ${n.update} to update, ${n.delete} to delete, ${n.unchanged} unchanged`);
  return lines;
}

/** The lines of `before` and `after` (YAML) that differ, `-` and `+`, in the order of each. */
function bodyDiff(c: PlanChange): string[] {
  const a = yamlOf(c.before ?? {}).split("\n");
  const b = yamlOf(c.after ?? {}).split("\n");
  const inB = new Set(b);
  const inA = new Set(a);
  return [
    ...a.filter((l) => !inB.has(l)).map((l) => `    - ${l}`),
    ...b.filter((l) => !inA.has(l)).map((l) => `    + ${l}`),
  ];
}

/** Sends a document to `POST /v1/config/sync`; turns a protection refusal into a message that names --force. */
async function sync(
  ctx: CliContext,
  document: unknown,
  opts: { prune: boolean; dryRun: boolean; force: boolean },
): Promise<SyncAnswer> {
  try {
    return await ctx.api().request<SyncAnswer>("POST", "/v1/config/sync", {
      document,
      prune: opts.prune,
      dry_run: opts.dryRun,
      force: opts.force,
    });
  } catch (err) {
    if (err instanceof CliError && err.code === "PROTECTION_REMOVED")
      throw new CliError(
        err.code,
        `${err.message.replace(/; pass force to confirm$/, "")}; pass --force to confirm`,
        err.status,
      );
    if (
      err instanceof CliError &&
      typeof err.detail?.resource === "string" &&
      !err.message.startsWith(err.detail.resource)
    )
      throw new CliError(err.code, `${err.detail.resource}: ${err.message}`, err.status, err.field, err.detail);
    throw err;
  }
}

/** `palisadectl dump`: the whole draft as one YAML document (`-o json`: JSON). */
export async function dump(ctx: CliContext): Promise<number> {
  const doc = await ctx.api().request<ConfigDocument>("GET", "/v1/config/dump");
  ctx.io.out(ctx.format === "json" ? JSON.stringify(doc, null, 2) : yamlOf(doc));
  return EXIT.OK;
}

/**
 * `palisadectl diff -f FILE`: what `sync --prune` would change (the file is the whole
 * configuration; `--no-prune`: only what the file lists). Exit 0 when nothing, 3 when something.
 */
export async function diff(ctx: CliContext): Promise<number> {
  const plan = await sync(ctx, await documentOf(ctx, "diff"), {
    prune: ctx.o["no-prune"] !== true,
    dryRun: true,
    force: true,
  });
  if (ctx.format === "table") ctx.io.out(planText(plan, true).join("\n"));
  else ctx.print(plan);
  return plan.counts.create + plan.counts.update + plan.counts.delete > 0 ? EXIT.DIFFERENT : EXIT.OK;
}

/**
 * `palisadectl sync -f FILE [--prune] [--dry-run] [--force]`: prints the plan, then makes the draft
 * what the file says in one transaction (nothing changes when anything fails).
 */
export async function syncCommand(ctx: CliContext): Promise<number> {
  const document = await documentOf(ctx, "sync");
  const opts = { prune: ctx.o.prune === true, force: ctx.o.force === true };
  const plan = await sync(ctx, document, { ...opts, dryRun: true });
  const table = ctx.format === "table";
  if (table) ctx.io.out(planText(plan, false).join("\n"));
  const nothing = plan.counts.create + plan.counts.update + plan.counts.delete === 0;
  if (ctx.o["dry-run"] || nothing) {
    if (!table) ctx.print(plan);
    else if (nothing) ctx.io.out("nothing to change");
    if (nothing && ctx.o.publish) await publish(ctx);
    return EXIT.OK;
  }
  const done = await sync(ctx, document, { ...opts, dryRun: false });
  if (table) ctx.io.out(done.changed ? "synced" : "nothing to change");
  else ctx.print(done);
  if (ctx.o.publish) await publish(ctx);
  return EXIT.OK;
}

async function publish(ctx: CliContext): Promise<void> {
  const pub = await ctx.api().request<PublishAnswer>("POST", "/v1/config/versions", {
    message: ctx.o.message ?? "",
  });
  printPublishWarnings(ctx.io, pub);
  if (ctx.format === "table")
    ctx.io.out(pub.created === false ? `nothing changed: v${pub.version} is the latest` : `published v${pub.version}`);
}

/**
 * `palisadectl apply -f FILE [--publish] [-m MSG] [--force]`: creates or replaces the listed
 * resources (a sync without prune), all or nothing; refuses to take an authentication or WAF
 * policy off a route without `--force`.
 */
export async function apply(ctx: CliContext): Promise<number> {
  const { text, name } = readInput(ctx.o, "apply");
  const manifest = readManifest(text, name);
  let r: SyncAnswer;
  try {
    const document = await withRuleSetFiles(toDocument(manifest), ctx.o.file);
    r = await sync(ctx, document, { prune: false, dryRun: false, force: ctx.o.force === true });
  } catch (err) {
    // Name the manifest entry at fault as it appears in the file.
    const resource = err instanceof CliError ? (err.detail?.resource as string | undefined) : undefined;
    const e = resource ? manifest.entries.find((x) => `${x.kind}/${x.name}` === resource) : undefined;
    if (e && err instanceof CliError)
      throw new CliError(
        err.code,
        `${e.source} (${resource}): ${err.message.replace(`${resource}: `, "")}`,
        err.status,
        err.field,
      );
    throw err;
  }
  // The answer lists what changed; every other entry of the manifest is unchanged.
  const changed = new Map(r.changes.map((c) => [`${c.kind}/${c.name}`, c]));
  const listed = [
    ...manifest.entries.map((e) => ({ kind: e.kind as string, name: e.name })),
    ...Object.keys(manifest.sections).map((section) => ({ kind: section, name: section })),
  ];
  const results = listed.map(({ kind, name }) => {
    const c = changed.get(`${kind}/${name}`);
    return {
      kind,
      name,
      result: c?.action === "create" ? "created" : c?.action === "update" ? "configured" : "unchanged",
      ...(c?.removed ? { removed: c.removed } : {}),
    };
  });
  if (ctx.format === "table")
    for (const x of results)
      ctx.io.out(`${x.kind}/${x.name} ${x.result}${x.removed ? ` (removed: ${x.removed.join(", ")})` : ""}`);
  let published: unknown;
  if (ctx.o.publish) {
    published = await ctx.api().request("POST", "/v1/config/versions", { message: ctx.o.message ?? "" });
    printPublishWarnings(ctx.io, published as PublishAnswer);
    if (ctx.format === "table") ctx.io.out(`published v${(published as { version: number }).version}`);
  }
  if (ctx.format !== "table") ctx.print({ applied: results, ...(published ? { published } : {}) });
  return EXIT.OK;
}

/**
 * `palisadectl validate -f FILE`: checks a file offline, with the control plane's own code: the
 * file is applied, as a whole configuration, to an empty in-memory store by the same sync code
 * the server runs (schemas, semantic checks, references, the snapshot build), then thrown away.
 */
export async function validate(ctx: CliContext): Promise<number> {
  const { text, name } = readInput(ctx.o, "validate");
  const document = (await withRuleSetFiles(toDocument(readManifest(text, name)), ctx.o.file)) as ConfigDocument;
  // The control plane's own code, loaded only for this command (a CLI run stays light).
  const [{ Store }, { applyPlan }, { documentEntries, planSync }] = await Promise.all([
    import("../store/store.js"),
    import("../gitops/apply.js"),
    import("../gitops/plan.js"),
  ]);
  const store = await Store.open(":memory:");
  try {
    const entries = documentEntries(document);
    const plan = await planSync(store, document, entries, true);
    await applyPlan(store, plan, entries, document, true, true);
    const n = entries.length;
    if (ctx.format === "table") ctx.io.out(`${name}: valid (${n} resource${n === 1 ? "" : "s"})`);
    else ctx.print({ file: name, valid: true, resources: n });
    return EXIT.OK;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const resource = err.detail?.resource as string | undefined;
    throw new CliError(
      err.code,
      `${name}: ${resource && !err.message.startsWith(resource) ? `${resource}: ` : ""}${err.message}`,
      API_ERRORS[err.code].status,
      err.field,
    );
  } finally {
    await store.close();
  }
}

/**
 * `palisadectl openapi import SPEC [--upstream-url URL] [--prefix NAME] [--host H]… [--jwks-url URL]
 * [--issuer ISS]`: prints the configuration an OpenAPI 3 description makes (YAML; `-o json`), for
 * `sync -f -`. Works offline.
 */
export async function openapi(ctx: CliContext, args: readonly string[]): Promise<number> {
  const [action, file] = args;
  if (action !== "import" || !file) throw usage("openapi import <spec.yaml|spec.json>");
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw usage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let spec: unknown;
  try {
    // JSON is YAML, but JSON.parse reads a 13 MB description in a fraction of the time.
    spec = /^\s*\{/.test(text) ? JSON.parse(text) : load(text);
  } catch (err) {
    throw new CliError("BAD_SPEC", `${file}: not JSON or YAML: ${(err as Error).message}`);
  }
  const { ImportError, importOpenApi } = await import("../gitops/openapi-import.js");
  try {
    const r = importOpenApi(spec, {
      ...(ctx.o.prefix ? { prefix: ctx.o.prefix } : {}),
      ...(ctx.o["upstream-url"] ? { upstreamUrl: ctx.o["upstream-url"] } : {}),
      ...(ctx.o.host ? { hosts: ctx.o.host } : {}),
      ...(ctx.o["jwks-url"] ? { jwksUrl: ctx.o["jwks-url"] } : {}),
      ...(ctx.o.issuer ? { issuer: ctx.o.issuer } : {}),
    });
    ctx.io.out(ctx.format === "json" ? JSON.stringify(r.document, null, 2) : yamlOf(r.document));
    ctx.io.err(`${file}: ${r.operations} operations → ${r.routes} routes, ${r.policies} policies, 1 upstream`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof ImportError) throw new CliError("BAD_SPEC", `${file}: ${err.message}`);
    throw err;
  }
}
