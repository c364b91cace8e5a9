/**
 * The signed-in session. The admin token lives in this tab's sessionStorage
 * (gone when the tab closes, never in a URL, a cookie or localStorage) and in
 * the ApiClient made from it. A 401 from any call signs the tab out.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { ApiClient } from "../api/client.ts";

const KEY = "palisade.admin-token";

interface Session {
  client: ApiClient;
  signOut: (reason?: string) => void;
}

const SessionContext = createContext<Session | null>(null);

function stored(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Signed-in state plus the sign-in and sign-out actions, for the app root. */
export function useAuthState(): {
  token: string | null;
  reason: string | null;
  signIn: (token: string) => void;
  signOut: (reason?: string) => void;
} {
  const [token, setToken] = useState<string | null>(stored);
  const [reason, setReason] = useState<string | null>(null);
  const signIn = useCallback((t: string) => {
    try {
      window.sessionStorage.setItem(KEY, t);
    } catch {
      // Private modes may refuse storage: the token then lives in memory for this page only.
    }
    setReason(null);
    setToken(t);
  }, []);
  const signOut = useCallback((why?: string) => {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch {}
    setReason(why ?? null);
    setToken(null);
  }, []);
  return { token, reason, signIn, signOut };
}

/** Provides the session's ApiClient to the signed-in app. */
export function SessionProvider({
  token,
  signOut,
  children,
}: {
  token: string;
  signOut: (reason?: string) => void;
  children: ReactNode;
}) {
  const value = useMemo<Session>(
    () => ({
      client: new ApiClient(token, () => signOut("The control plane refused the admin token. Sign in again.")),
      signOut,
    }),
    [token, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session of the signed-in app. @throws outside SessionProvider (a bug). */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

/** The session's API client. */
export function useApi(): ApiClient {
  return useSession().client;
}
