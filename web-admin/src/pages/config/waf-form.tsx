/**
 * The waf policy's fields (issue 14): rule set, mode, paranoia levels, anomaly thresholds, the
 * CRS setup variables, exclusions with a rule lookup (search the rule set's rules by id, message
 * or tag, and add one to an exclusion), body limits, sampling, the error action and secret
 * fields. The config it edits is the API's; lib/waf-form.ts does the edits.
 */
import { useState } from "react";
import type { RuleLookup } from "../../api/types.ts";
import { Check, Field, ListInput, NumberInput, Select, TextInput } from "../../components/form-kit.tsx";
import { Badge } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { usePoll } from "../../lib/poll.ts";
import {
  addExclusion,
  addRuleToExclusion,
  CRS_SETUP_FIELDS,
  parsePercent,
  removeExclusion,
  setWafField,
  WAF_DEFAULTS,
  type WafConfig,
} from "../../lib/waf-form.ts";
import { RulesTable } from "./rules-table.tsx";

/** Searches a rule set's rules; each found rule can be added to an exclusion. */
function RuleLookupPanel({
  ruleSet,
  exclusions,
  onAdd,
}: {
  ruleSet: string | undefined;
  exclusions: number;
  onAdd: (exclusion: number, id: number) => void;
}) {
  const api = useApi();
  const [q, setQ] = useState("");
  const [target, setTarget] = useState(-1);
  const [found, setFound] = useState<RuleLookup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async () => {
    if (!ruleSet) return;
    setError(null);
    try {
      setFound(await api.ruleLookup(ruleSet, q));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="rule-lookup" data-testid="rule-lookup">
      <div className="row">
        <input
          className="input mono"
          aria-label="Search rules by id, message or tag"
          disabled={!ruleSet}
          placeholder={ruleSet ? "942100, sql injection, attack-xss…" : "loading the rule set…"}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              search();
            }
          }}
        />
        <button type="button" className="btn small" onClick={search} disabled={!ruleSet}>
          Find rules
        </button>
        <label className="faint" htmlFor="rule-lookup-target">
          add to
        </label>
        <select
          id="rule-lookup-target"
          className="input"
          value={target}
          onChange={(e) => setTarget(Number(e.target.value))}
        >
          <option value={-1}>a new exclusion</option>
          {Array.from({ length: exclusions }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: exclusions are positions in the list
            <option key={i} value={i}>
              exclusion {i + 1}
            </option>
          ))}
        </select>
      </div>
      {error ? <span className="field-error">{error}</span> : null}
      {found ? (
        <div className="table-wrap">
          <RulesTable
            rules={found.items}
            label="Rules found"
            empty={`No rule of ${found.rule_set.name} matches.`}
            columns={[
              {
                head: "",
                cell: (r) => (
                  <button
                    type="button"
                    className="btn small"
                    aria-label={`Add rule ${r.id} to an exclusion`}
                    onClick={() => onAdd(target, r.id)}
                  >
                    Add
                  </button>
                ),
              },
            ]}
          />
          {found.total > found.items.length ? (
            <span className="hint">
              {found.items.length} of {found.total} shown: narrow the search.
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function WafFields({ config, onChange }: { config: WafConfig; onChange: (c: WafConfig) => void }) {
  const api = useApi();
  const ruleSets = usePoll("form:rule-sets", (s) => api.ruleSets(s), 0);
  const routes = usePoll("form:routes:waf", (s) => api.list("routes", s), 0);
  const set = (path: string, v: unknown) => onChange(setWafField(config, path, v));
  // The rule id boxes keep what is typed; a rule added by the lookup redraws them.
  const [lookupAdds, setLookupAdds] = useState(0);
  const fallback = ruleSets.data?.find((r) => r.default);
  const current = ruleSets.data?.find((r) => r.id === config.rule_set || r.name === config.rule_set) ?? fallback;
  const exclusions = config.exclusions ?? [];
  const setup = (config.crs_setup ?? {}) as Record<string, unknown>;
  return (
    <div className="fields">
      <Field
        label="Rule set"
        field="config.rule_set"
        hint={
          current ? (
            <>
              {current.crs_version ? `OWASP CRS ${current.crs_version}, ` : ""}
              {current.rules ?? "?"} rules, hash <span className="mono">{current.content_hash.slice(0, 12)}</span>
              {current.default ? " (the default)" : ""}
            </>
          ) : (
            "The rule set bundled with the control plane unless you choose another."
          )
        }
      >
        <Select
          field="config.rule_set"
          value={config.rule_set ?? ""}
          placeholder={fallback ? `${fallback.name} (default)` : "default"}
          options={(ruleSets.data ?? []).filter((r) => !r.default).map((r) => [r.id, r.name])}
          onChange={(v) => set("rule_set", v)}
        />
      </Field>
      <Field
        label="Mode"
        field="config.mode"
        asGroup
        hint="Detect reports what block would refuse: roll out in detect first."
      >
        {(
          [
            ["block", "Block: refuse requests at the anomaly threshold"],
            ["detect", "Detect: report only"],
          ] as const
        ).map(([v, label]) => (
          <label key={v} className="check">
            <input
              type="radio"
              name="waf-mode"
              checked={(config.mode ?? "block") === v}
              onChange={() => set("mode", v)}
            />
            {label}
          </label>
        ))}
      </Field>
      <Field label="Paranoia level" field="config.paranoia_level" hint="1 (few false positives) to 4 (strictest).">
        <Select
          field="config.paranoia_level"
          value={String(config.paranoia_level ?? WAF_DEFAULTS.paranoia_level)}
          options={[1, 2, 3, 4].map((n) => [String(n), `PL${n}`])}
          onChange={(v) => set("paranoia_level", Number(v))}
        />
      </Field>
      <Field
        label="Detection paranoia level"
        field="config.detection_paranoia_level"
        hint="Rules up to this level score and are reported without blocking; not below the paranoia level."
      >
        <Select
          field="config.detection_paranoia_level"
          value={config.detection_paranoia_level === undefined ? "" : String(config.detection_paranoia_level)}
          placeholder="same as the paranoia level"
          options={[1, 2, 3, 4].map((n) => [String(n), `PL${n}`])}
          onChange={(v) => set("detection_paranoia_level", v === "" ? undefined : Number(v))}
        />
      </Field>
      <Field
        label="Inbound threshold"
        field="config.inbound_anomaly_threshold"
        hint="Anomaly score that blocks a request."
      >
        <NumberInput
          field="config.inbound_anomaly_threshold"
          value={config.inbound_anomaly_threshold}
          placeholder={String(WAF_DEFAULTS.inbound_anomaly_threshold)}
          onChange={(v) => set("inbound_anomaly_threshold", v)}
        />
      </Field>
      <Field label="Outbound threshold" field="config.outbound_anomaly_threshold" hint="Anomaly score of a response.">
        <NumberInput
          field="config.outbound_anomaly_threshold"
          value={config.outbound_anomaly_threshold}
          placeholder={String(WAF_DEFAULTS.outbound_anomaly_threshold)}
          onChange={(v) => set("outbound_anomaly_threshold", v)}
        />
      </Field>

      <span className="label">CRS setup</span>
      <fieldset aria-label="CRS setup variables" className="fields nested" id="f-config-crs_setup">
        {CRS_SETUP_FIELDS.map(([f, label, kind]) => (
          <Field key={f} label={label} field={`config.crs_setup.${f}`}>
            {kind === "list" ? (
              <ListInput
                field={`config.crs_setup.${f}`}
                value={setup[f] as string[] | undefined}
                placeholder="CRS default"
                onChange={(v) => set(`crs_setup.${f}`, v)}
              />
            ) : (
              <NumberInput
                field={`config.crs_setup.${f}`}
                value={setup[f]}
                placeholder={String(WAF_DEFAULTS[f as keyof typeof WAF_DEFAULTS] ?? "")}
                onChange={(v) => set(`crs_setup.${f}`, v)}
              />
            )}
          </Field>
        ))}
      </fieldset>

      <Field
        label="Exclusions"
        field="config.exclusions"
        asGroup
        hint="Rules removed, or told to skip one field (ARGS:password), everywhere or on some routes."
      >
        <div className="row-editor">
          {exclusions.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: exclusions are positions in the list
            <div className="exclusion" key={i} data-exclusion={i} id={`f-config-exclusions-${i}`}>
              <strong>Exclusion {i + 1}</strong>
              <div className="fields nested">
                <Field label="Rule ids" field={`config.exclusions.${i}.rule_ids`} hint="942100, 942100-942199 or 942*">
                  <ListInput
                    key={lookupAdds}
                    field={`config.exclusions.${i}.rule_ids`}
                    value={e.rule_ids}
                    onChange={(v) => set(`exclusions.${i}.rule_ids`, v)}
                  />
                </Field>
                <Field label="Tags" field={`config.exclusions.${i}.tags`}>
                  <ListInput
                    field={`config.exclusions.${i}.tags`}
                    value={e.tags}
                    placeholder="attack-sqli"
                    onChange={(v) => set(`exclusions.${i}.tags`, v)}
                  />
                </Field>
                <Field label="Skip field" field={`config.exclusions.${i}.target`} hint="Empty: the rules are removed.">
                  <TextInput
                    field={`config.exclusions.${i}.target`}
                    mono
                    value={e.target ?? ""}
                    placeholder="ARGS:password"
                    onChange={(v) => set(`exclusions.${i}.target`, v)}
                  />
                </Field>
                <Field
                  label="On routes"
                  field={`config.exclusions.${i}.routes`}
                  asGroup
                  hint="None checked: every route."
                >
                  {(routes.data ?? []).map((r) => (
                    <Check
                      key={r.id}
                      field={`exclusion-${i}-route-${r.name}`}
                      label={r.name}
                      checked={(e.routes ?? []).some((x) => x === r.id || x === r.name)}
                      onChange={(on) =>
                        set(
                          `exclusions.${i}.routes`,
                          on ? [...(e.routes ?? []), r.id] : (e.routes ?? []).filter((x) => x !== r.id && x !== r.name),
                        )
                      }
                    />
                  ))}
                </Field>
              </div>
              <div>
                <button
                  type="button"
                  className="btn small ghost danger-text"
                  aria-label={`Remove exclusion ${i + 1}`}
                  onClick={() => onChange(removeExclusion(config, i))}
                >
                  Remove exclusion
                </button>
              </div>
            </div>
          ))}
          <div>
            <button type="button" className="btn small" onClick={() => onChange(addExclusion(config))}>
              Add exclusion
            </button>
          </div>
          <RuleLookupPanel
            ruleSet={current?.id}
            exclusions={exclusions.length}
            onAdd={(i, id) => {
              setLookupAdds((n) => n + 1);
              onChange(addRuleToExclusion(config, i, id));
            }}
          />
        </div>
      </Field>

      <Field
        label="Request body limit (bytes)"
        field="config.request_body_limit_bytes"
        hint="Bodies are inspected up to this; default 128 KiB (12.5 MiB with file uploads)."
      >
        <NumberInput
          field="config.request_body_limit_bytes"
          value={config.request_body_limit_bytes}
          placeholder={String(WAF_DEFAULTS.request_body_limit_bytes)}
          width={140}
          onChange={(v) => set("request_body_limit_bytes", v)}
        />
      </Field>
      <Field label="Past the limit" field="config.request_body_limit_action">
        <Select
          field="config.request_body_limit_action"
          value={(config.request_body_limit_action as string | undefined) ?? "reject"}
          options={[
            ["reject", "Refuse the request (413)"],
            ["inspect_partial", "Inspect the first bytes, pass the rest"],
          ]}
          onChange={(v) => set("request_body_limit_action", v === "reject" ? undefined : v)}
        />
      </Field>
      <Field label="Responses" field="config.response_inspection" asGroup>
        <Check
          field="config.response_inspection"
          label="Inspect response bodies (data leakage rules)"
          checked={!!config.response_inspection}
          onChange={(v) => set("response_inspection", v || undefined)}
        />
      </Field>
      <Field label="Response body limit (bytes)" field="config.response_body_limit_bytes">
        <NumberInput
          field="config.response_body_limit_bytes"
          value={config.response_body_limit_bytes}
          placeholder={String(WAF_DEFAULTS.response_body_limit_bytes)}
          width={140}
          onChange={(v) => set("response_body_limit_bytes", v)}
        />
      </Field>
      <Field
        label="Sampling (%)"
        field="config.sample_percent"
        hint="Share of requests inspected; the rest pass uninspected."
      >
        <TextInput
          field="config.sample_percent"
          mono
          value={config.sample_percent === undefined ? "" : String(config.sample_percent)}
          placeholder={String(WAF_DEFAULTS.sample_percent)}
          onChange={(v) => set("sample_percent", parsePercent(v))}
        />
      </Field>
      <Field label="On an engine error" field="config.error_action">
        <Select
          field="config.error_action"
          value={(config.error_action as string | undefined) ?? "fail_closed"}
          options={[
            ["fail_closed", "Refuse the request (fail closed)"],
            ["fail_open", "Let it through (fail open)"],
          ]}
          onChange={(v) => set("error_action", v === "fail_closed" ? undefined : v)}
        />
      </Field>
      <Field
        label="Secret fields"
        field="config.secret_fields"
        hint={
          <>
            Redacted in security events, e.g. ARGS:password. <Badge>Authorization</Badge> and cookies always are.
          </>
        }
      >
        <ListInput
          field="config.secret_fields"
          value={config.secret_fields as string[] | undefined}
          placeholder="ARGS:password, REQUEST_HEADERS:x-api-key"
          onChange={(v) => set("secret_fields", v)}
        />
      </Field>
    </div>
  );
}
