/** Short confirmations after an action ("Route echo saved"), announced to screen readers. */
import { createContext, type ReactNode, useCallback, useContext, useState } from "react";

type Notify = (message: string, tone?: "ok" | "bad") => void;
const ToastContext = createContext<Notify>(() => {});
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Array<{ id: number; message: string; tone: "ok" | "bad" }>>([]);
  const notify = useCallback<Notify>((message, tone = "ok") => {
    const id = nextId++;
    setItems((xs) => [...xs.slice(-3), { id, message, tone }]);
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), 5000);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`toast ${t.tone}`}>
            {t.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
