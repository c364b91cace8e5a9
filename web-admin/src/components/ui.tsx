/** Small shared pieces: status dots, badges, empty and error states, page headings. */
import type { ReactNode } from "react";
import type { ApiError } from "../api/client.ts";

export type Tone = "ok" | "warn" | "bad" | "info" | "idle";

/** A coloured dot with a label: the state of a node, a stage, a rollout. */
export function Status({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`status ${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Badge({ tone = "idle", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** An API error above a page or form: the message, and the code for support. */
export function ErrorAlert({ error, title }: { error: ApiError | Error | undefined | null; title?: string }) {
  if (!error) return null;
  const code = (error as ApiError).code;
  return (
    <div className="alert bad" role="alert">
      <div className="grow">
        {title ? <strong>{title}: </strong> : null}
        {error.message}
        {code && code !== "NETWORK" ? <span className="faint mono"> ({code})</span> : null}
      </div>
    </div>
  );
}

/** The first load's placeholder. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="empty" aria-busy="true">
      Loading {what}…
    </div>
  );
}

/** The heading row of a page, with its actions on the right. */
export function PageHead({ title, sub, children }: { title: string; sub?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>
        {title}
        {sub ? <span className="sub">{sub}</span> : null}
      </h1>
      {children}
    </div>
  );
}
