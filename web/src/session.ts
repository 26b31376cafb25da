/**
 * Who is signed in, and their tokens.
 *
 * The access token (15 minutes) lives only in this module's memory. The refresh token never
 * reaches JavaScript: sign-in asks the server to keep it in the `HttpOnly; SameSite=Strict`
 * cookie `ironfield_refresh` (path `/api/v1/auth`), and refreshes send no token in the body,
 * so the browser presents the cookie and gets the rotated one back in `Set-Cookie`. On start
 * the app refreshes to get an access token: staying signed in across restarts costs one
 * request and no stored secret. Only the non-secret profile (`/me`) is kept, so the app can
 * start offline.
 */
import { api, call, setTokenSource, ApiFailure } from "./api/client";
import type { User } from "./api/types";

const ME_KEY = "ironfield.me";

let accessToken: string | null = null;
let expiresAt = 0;
let refreshing: Promise<string | null> | null = null;
let me: User | null = loadMe();
const listeners = new Set<() => void>();

function loadMe(): User | null {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? "null");
  } catch {
    return null;
  }
}

function setMe(user: User | null): void {
  me = user;
  if (user) localStorage.setItem(ME_KEY, JSON.stringify(user));
  else localStorage.removeItem(ME_KEY);
  listeners.forEach((l) => l());
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentUser(): User | null {
  return me;
}

export function hasAccessToken(): boolean {
  return accessToken !== null && Date.now() < expiresAt;
}

function keep(tokens: { access_token: string; expires_in: number }): void {
  accessToken = tokens.access_token;
  expiresAt = Date.now() + tokens.expires_in * 1000;
}

export async function signIn(email: string, password: string): Promise<User> {
  const tokens = await call(
    api.POST("/api/v1/auth/login", { body: { email, password, refresh_cookie: true } }),
  );
  keep(tokens);
  const user = await call(api.GET("/api/v1/me"));
  setMe(user);
  return user;
}

/**
 * Trades the refresh cookie for an access token. One at a time, across tabs too (Web Locks):
 * two refreshes with the same cookie would look like a stolen token and end the session.
 * Throws `ApiFailure("network")` when offline; answers null when the session is over.
 */
export function refresh(): Promise<string | null> {
  if (!refreshing) {
    const run = async (): Promise<string | null> => {
      try {
        const tokens = await call(api.POST("/api/v1/auth/refresh", {}));
        keep(tokens);
        return accessToken;
      } catch (error) {
        if (error instanceof ApiFailure && error.kind === "problem" && error.status === 401) {
          accessToken = null;
          setMe(null);
          return null;
        }
        throw error;
      }
    };
    const locked: Promise<string | null> = navigator.locks
      ? (navigator.locks.request("ironfield-refresh", run) as unknown as Promise<string | null>)
      : run();
    refreshing = locked.finally(() => {
      refreshing = null;
    });
  }
  return refreshing!;
}

async function validToken(): Promise<string | null> {
  if (accessToken && Date.now() < expiresAt - 30_000) return accessToken;
  return refresh();
}
setTokenSource(validToken);

/** At start: with a profile saved, try to resume the session (offline keeps the profile). */
export async function resume(): Promise<void> {
  if (!me) return;
  try {
    const token = await refresh();
    if (token) setMe(await call(api.GET("/api/v1/me")));
  } catch {
    // offline: keep the saved profile; the app works from the phone's store
  }
}

export async function signOut(): Promise<void> {
  try {
    await call(api.POST("/api/v1/auth/logout", {}));
  } catch {
    // even offline the app forgets the session; the cookie expires on its own
  }
  accessToken = null;
  expiresAt = 0;
  setMe(null);
}
