/**
 * Form building blocks. The API validates; a form shows the API's error beside
 * the field it names (see lib/field-errors.ts) and moves focus there. Controls
 * carry ids, labels and aria-invalid so they work from the keyboard and with
 * screen readers; every form submits with Enter.
 */
import { createContext, type ReactNode, useContext } from "react";
import { fieldId, splitList } from "../lib/field-errors.ts";

/** Moves focus to the control of `field` (or the first control of its group). */
export function focusField(field: string): void {
  const id = fieldId(field);
  const el =
    document.getElementById(id) ??
    document.querySelector<HTMLElement>(`[aria-labelledby="${id}-label"] :is(input, select, textarea)`);
  el?.focus();
}

/** The error placed on one rendered field. */
export interface PlacedError {
  field: string | null;
  message: string;
}

const ErrorContext = createContext<PlacedError | null>(null);

export function FormErrors({ value, children }: { value: PlacedError | null; children: ReactNode }) {
  return <ErrorContext.Provider value={value}>{children}</ErrorContext.Provider>;
}

/** Props for the control of `field`: id, and aria-invalid/-describedby when the error is there. */
export function useFieldProps(field: string): {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
} {
  const err = useContext(ErrorContext);
  const id = fieldId(field);
  return err?.field === field ? { id, "aria-invalid": true, "aria-describedby": `${id}-error` } : { id };
}

/** The error message when it belongs to `field`. */
export function FieldError({ field }: { field: string }) {
  const err = useContext(ErrorContext);
  if (err?.field !== field) return null;
  return (
    <span className="field-error" id={`${fieldId(field)}-error`} data-field-error={field}>
      {err.message}
    </span>
  );
}

/** A labelled row of the `.fields` grid: label on the left, control, hint and error on the right. */
export function Field({
  label,
  field,
  required,
  hint,
  children,
  asGroup,
}: {
  label: string;
  field: string;
  required?: boolean;
  hint?: ReactNode;
  children: ReactNode;
  /** For a group of controls (checkboxes, rows): the label is not tied to one control. */
  asGroup?: boolean;
}) {
  const id = fieldId(field);
  return (
    <>
      {asGroup ? (
        <span className={`label ${required ? "req" : ""}`} id={`${id}-label`}>
          {label}
        </span>
      ) : (
        <label htmlFor={id} className={required ? "req" : undefined}>
          {label}
        </label>
      )}
      {asGroup ? (
        <fieldset aria-labelledby={`${id}-label`}>
          {children}
          <FieldError field={field} />
          {hint ? <span className="hint">{hint}</span> : null}
        </fieldset>
      ) : (
        <div>
          {children}
          <FieldError field={field} />
          {hint ? <span className="hint">{hint}</span> : null}
        </div>
      )}
    </>
  );
}

/** A text input bound to `value`. */
export function TextInput({
  field,
  value,
  onChange,
  placeholder,
  mono,
  type = "text",
}: {
  field: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  mono?: boolean;
  type?: string;
}) {
  const props = useFieldProps(field);
  return (
    <input
      {...props}
      className={`input wide ${mono ? "mono" : ""}`}
      type={type}
      value={value}
      placeholder={placeholder}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/**
 * A list typed as "a, b c": shows `value` joined by ", " and hands back the
 * items. Keeps the raw text while typing so commas and spaces stay where typed.
 */
export function ListInput({
  field,
  value,
  onChange,
  placeholder,
}: {
  field: string;
  value: string[] | undefined;
  onChange: (v: string[] | undefined) => void;
  placeholder?: string;
}) {
  const props = useFieldProps(field);
  return (
    <input
      {...props}
      className="input wide mono"
      defaultValue={(value ?? []).join(", ")}
      placeholder={placeholder}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) => {
        const items = splitList(e.target.value);
        onChange(items.length ? items : undefined);
      }}
    />
  );
}

/**
 * A number typed as text. An empty box is "not set"; a non-number is sent as
 * typed so the API names the field (`must be integer`) rather than the UI guessing.
 */
export function NumberInput({
  field,
  value,
  onChange,
  placeholder,
  width = 110,
  label,
}: {
  field: string;
  value: unknown;
  onChange: (v: number | string | undefined) => void;
  placeholder?: string;
  width?: number;
  /** Accessible name when no `<label>` points at it (controls in a row). */
  label?: string;
}) {
  const props = useFieldProps(field);
  return (
    <input
      {...props}
      className="input mono"
      inputMode="numeric"
      aria-label={label}
      style={{ width }}
      value={value === undefined || value === null ? "" : String(value)}
      placeholder={placeholder}
      autoComplete="off"
      onChange={(e) => {
        const t = e.target.value.trim();
        onChange(t === "" ? undefined : /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t);
      }}
    />
  );
}

/** A `<select>` bound to `value`. */
export function Select({
  field,
  value,
  options,
  onChange,
  placeholder,
}: {
  field: string;
  value: string;
  options: Array<[string, string]>;
  onChange: (v: string) => void;
  placeholder?: string;
}) {
  const props = useFieldProps(field);
  return (
    <select {...props} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
      {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
      {options.map(([v, label]) => (
        <option key={v} value={v}>
          {label}
        </option>
      ))}
    </select>
  );
}

/** A checkbox with its label. */
export function Check({
  field,
  checked,
  onChange,
  label,
}: {
  field: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
}) {
  const props = useFieldProps(field);
  return (
    <label className="check">
      <input {...props} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/** A monospace textarea (PEM, JSON). */
export function CodeArea({
  field,
  value,
  onChange,
  rows = 6,
  placeholder,
}: {
  field: string;
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  placeholder?: string;
}) {
  const props = useFieldProps(field);
  return (
    <textarea
      {...props}
      className="input wide"
      rows={rows}
      value={value}
      placeholder={placeholder}
      spellCheck={false}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
