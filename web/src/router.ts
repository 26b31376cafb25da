/** A tiny router over `location.pathname` under /app/ (the server answers the page for any). */
const BASE = "/app";
const listeners = new Set<() => void>();

export function onRoute(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  return path || "/";
}

export function query(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

export function href(path: string): string {
  return BASE + path;
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

window.addEventListener("popstate", () => listeners.forEach((l) => l()));

/** Click handler for in-app links: no page load. */
export function follow(event: MouseEvent): void {
  const anchor = (event.target as HTMLElement).closest("a");
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE + "/")) return;
  event.preventDefault();
  navigate(url.pathname.slice(BASE.length) + url.search);
}
