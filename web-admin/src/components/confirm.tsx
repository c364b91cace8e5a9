/**
 * Confirmation before a destructive or fleet-wide action, on a native modal
 * `<dialog>` (focus trapped, Escape cancels, focus returns to the trigger).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

export interface ConfirmOptions {
  title: string;
  body?: ReactNode;
  /** Label of the confirming button ("Delete route"). */
  confirm: string;
  danger?: boolean;
}

type Ask = (o: ConfirmOptions) => Promise<boolean>;
const ConfirmContext = createContext<Ask>(async () => false);

/** Holds the one confirmation dialog of the app. */
export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ o: ConfirmOptions; resolve: (v: boolean) => void } | null>(null);
  const ref = useRef<HTMLDialogElement>(null);
  const ask = useCallback<Ask>((o) => new Promise((resolve) => setPending({ o, resolve })), []);

  useEffect(() => {
    const d = ref.current;
    if (pending && d && !d.open) d.showModal();
  }, [pending]);

  const close = (v: boolean) => {
    pending?.resolve(v);
    ref.current?.close();
    setPending(null);
  };

  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      <dialog
        ref={ref}
        aria-labelledby="confirm-title"
        onCancel={(e) => {
          e.preventDefault();
          close(false);
        }}
      >
        {pending ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              close(true);
            }}
          >
            <div className="dlg-body">
              <h2 id="confirm-title">{pending.o.title}</h2>
              {pending.o.body ? <div>{pending.o.body}</div> : null}
            </div>
            <div className="dlg-actions">
              <button type="button" className="btn" onClick={() => close(false)}>
                Cancel
              </button>
              <button type="submit" className={`btn ${pending.o.danger ? "danger solid" : "primary"}`}>
                {pending.o.confirm}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </ConfirmContext.Provider>
  );
}

/** `await confirm({...})` → true when the operator confirmed. */
export function useConfirm(): Ask {
  return useContext(ConfirmContext);
}
