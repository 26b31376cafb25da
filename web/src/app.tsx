import { useEffect, useState } from "preact/hooks";
import { currentLocale, setLocale, t } from "./i18n";
import { currentPath, follow, href, navigate, onRoute } from "./router";
import { currentUser, onSessionChange, signOut } from "./session";
import { counts, items, onQueueChange, sync } from "./offline/queue";
import { SignIn } from "./screens/SignIn";
import { MyDay } from "./screens/MyDay";
import { lazy } from "./ui/lazy";

// Only the first screens (sign-in, my day) are in the main chunk; the rest load on first use
// (from the service worker's cache when offline).
const FindStall = lazy(() => import("./screens/FindStall").then((m) => m.FindStall));
const LogVisit = lazy(() => import("./screens/LogVisit").then((m) => m.LogVisit));
const Queue = lazy(() => import("./screens/Queue").then((m) => m.Queue));
const LeadPage = lazy(() => import("./screens/LeadPage").then((m) => m.LeadPage));
const AccountPage = lazy(() => import("./screens/AccountPage").then((m) => m.AccountPage));
const Meeting = lazy(() => import("./screens/Meeting").then((m) => m.Meeting));
const MonthEnd = lazy(() => import("./screens/MonthEnd").then((m) => m.MonthEnd));

function screen(path: string) {
  const lead = path.match(/^\/leads\/([^/]+)$/);
  if (lead) return <LeadPage id={lead[1]} />;
  const account = path.match(/^\/accounts\/([^/]+)$/);
  if (account) return <AccountPage id={account[1]} />;
  switch (path) {
    case "/find":
      return <FindStall />;
    case "/visit":
      return <LogVisit key={location.search} />;
    case "/new-stall":
      return <LogVisit key="new" newStall />;
    case "/queue":
      return <Queue />;
    case "/meeting":
      return <Meeting />;
    case "/month":
      return <MonthEnd />;
    default:
      return <MyDay />;
  }
}

export function App() {
  const [, setTick] = useState(0);
  const rerender = () => setTick((n) => n + 1);
  const [online, setOnline] = useState(navigator.onLine);
  const [waiting, setWaiting] = useState(0);

  useEffect(() => {
    const offs = [onRoute(rerender), onSessionChange(rerender)];
    const refreshCount = () => void items().then((list) => { const c = counts(list); setWaiting(c.waiting + c.invalid); });
    refreshCount();
    offs.push(onQueueChange(refreshCount));
    const up = () => {
      setOnline(true);
      void sync();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      offs.forEach((off) => off());
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  const me = currentUser();
  const path = currentPath();
  if (!me && path !== "/signin") history.replaceState(null, "", href("/signin"));
  if (me && path === "/signin") history.replaceState(null, "", href("/"));
  const lead = me && me.role !== "rep";
  const nav: [string, string][] = [
    ["/", t("nav.day")],
    ["/find", t("nav.find")],
    ["/queue", waiting ? `${t("nav.queue")} (${waiting})` : t("nav.queue")],
    ...(lead ? ([["/meeting", t("nav.meeting")], ["/month", t("nav.month")]] as [string, string][]) : []),
  ];
  return (
    <div class="shell" onClick={follow}>
      <header class="bar">
        <span class="brand">{t("app.name")}</span>
        <button
          type="button"
          class="lang"
          title={t("app.languageLabel")}
          lang={currentLocale() === "zh-CN" ? "en" : "zh-CN"}
          onClick={() => {
            setLocale(currentLocale() === "zh-CN" ? "en" : "zh-CN");
            rerender();
          }}
        >
          {t("app.language")}
        </button>
        {me && (
          <button type="button" class="lang" onClick={() => void signOut().then(() => navigate("/signin", true))}>
            {t("nav.signOut")}
          </button>
        )}
      </header>
      {!online && (
        <p class="offline" role="status" data-testid="offline-banner">
          {t("app.offline")}
        </p>
      )}
      {me ? screen(path === "/signin" ? "/" : path) : <SignIn />}
      {me && (
        <nav class="tabs" aria-label={t("nav.main")}>
          {nav.map(([to, label]) => (
            <a key={to} href={href(to)} aria-current={path === to ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
      )}
    </div>
  );
}
