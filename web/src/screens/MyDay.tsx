import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { Visit } from "../api/types";
import { formatDateTime, formatDay, formatTime, orgToday, setTimeZone, t } from "../i18n";
import { currentUser } from "../session";
import * as cache from "../offline/cache";
import { items, onQueueChange, type QueueItem } from "../offline/queue";
import { explain, type Shown } from "../errors";
import { ErrorBox, Section } from "../ui/common";
import { href } from "../router";
import { markUsable } from "../usable";

function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function MyDay() {
  const me = currentUser()!;
  const [data, setData] = useState<cache.Cached<cache.DayCache> | null>(() => cache.loadDaySync(me.id));
  const [fresh, setFresh] = useState(false);
  const [error, setError] = useState<Shown | null>(null);
  const [queued, setQueued] = useState<QueueItem[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});

  useEffect(() => {
    if (data) markUsable(); // the day as last seen, in the first frame (offline too)
    let live = true;
    const key = cache.dayKey(me.id);
    void cache.load<cache.DayCache>(key).then((saved) => {
      if (live && saved && !fresh) setData(saved);
      if (saved) markUsable(); // the day as last seen, at once (offline too)
    });
    void (async () => {
      try {
        const day = await call(api.GET("/api/v1/me/day"));
        setTimeZone(day.timezone);
        const renewals = (
          await call(
            api.GET("/api/v1/seller-accounts", {
              params: { query: { owner_id: me.id, renewal_due_before: addDays(orgToday(), 30), limit: 50 } },
            }),
          )
        ).items;
        const value = { day, renewals };
        await cache.save(key, value);
        cache.saveDaySync(me.id, value);
        await cache.remember(day.follow_ups_due, renewals);
        if (live) {
          setData({ value, at: new Date().toISOString() });
          setFresh(true);
          setError(null);
          markUsable();
        }
      } catch (e) {
        if (live) setError(explain(e));
      }
    })();
    void cache.known().then((known) => {
      const map: Record<string, string> = {};
      for (const l of Object.values(known.leads)) map[l.id] = l.company_name;
      for (const a of Object.values(known.accounts)) map[a.id] = a.company_name;
      if (live) setNames(map);
    });
    const refreshQueue = () => void items().then((list) => live && setQueued(list));
    refreshQueue();
    const off = onQueueChange(refreshQueue);
    return () => {
      live = false;
      off();
    };
  }, [me.id]);

  const day = data?.value.day;
  const waiting = queued.filter((q) => q.status !== "stored");
  const visits: Visit[] = day?.visits ?? [];
  const planned = day?.plan?.planned_visits ?? 0;

  return (
    <main class="screen">
      <h1>
        {t("day.title")} · {formatDay(day?.date ?? orgToday())}
      </h1>
      {!fresh && data && <p class="note">{t("day.cached", { time: formatDateTime(data.at) })}</p>}
      {!data && <ErrorBox shown={error} />}
      <div class="actions">
        <a class="button primary" href={href("/find")}>
          {t("day.logVisit")}
        </a>
        <a class="button" href={href("/new-stall")}>
          {t("day.newStall")}
        </a>
      </div>
      {waiting.length > 0 && (
        <p class="note">
          <a href={href("/queue")}>{t("day.waiting", { count: waiting.length })}</a>
        </p>
      )}
      <Section title={t("day.plan")}>
        {day?.plan ? (
          <>
            <p>{t("day.planned", { visits: day.plan.planned_visits, signings: day.plan.planned_signings })}</p>
            {day.plan.focus_market && <p>{t("day.focus", { market: day.plan.focus_market })}</p>}
            {day.plan.notes && <p>{day.plan.notes}</p>}
          </>
        ) : (
          <p>{t("day.noPlan")}</p>
        )}
        <div class="meter" aria-hidden="true">
          <div class="meter-fill" data-pct={String(Math.min(100, Math.round((visits.length / Math.max(planned, 1)) * 10) * 10))} />
        </div>
        <p class="figure" data-testid="day-progress">
          {t("day.progress", { done: visits.length, planned })}
        </p>
      </Section>
      <Section title={t("day.visits")}>
        {visits.length === 0 ? (
          <p>{t("day.noVisits")}</p>
        ) : (
          <ul class="list">
            {visits.map((v) => (
              <li key={v.id}>
                <span class="time">{formatTime(v.visited_at)}</span>{" "}
                {[
                  names[v.lead_id ?? v.seller_account_id ?? ""] ?? [v.market, v.stall_no].filter(Boolean).join(" "),
                  t(`purpose.${v.purpose}`),
                  t(`outcome.${v.outcome}`),
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={t("day.followUps")}>
        {day && day.follow_ups_due.length > 0 ? (
          <ul class="list">
            {day.follow_ups_due.map((lead) => (
              <li key={lead.id}>
                <a class="row-link" href={href(`/visit?lead=${lead.id}`)}>
                  <strong>{lead.company_name}</strong>
                  <span>
                    {lead.market ?? ""} {lead.stall_no ?? ""} · {formatDateTime(lead.next_follow_up_at)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("day.noFollowUps")}</p>
        )}
      </Section>
      <Section title={t("day.renewals")}>
        {data && data.value.renewals.length > 0 ? (
          <ul class="list">
            {data.value.renewals.map((a) => (
              <li key={a.id}>
                <a class="row-link" href={href(`/accounts/${a.id}`)}>
                  <strong>{a.company_name}</strong>
                  <span>{t("day.contractEnds", { date: formatDay(a.contract_end) })}</span>
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("day.noRenewals")}</p>
        )}
      </Section>
    </main>
  );
}
