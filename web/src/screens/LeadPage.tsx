import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { AuditEvent, Lead, Stage, Visit } from "../api/types";
import { formatDateTime, formatMoney, t } from "../i18n";
import { explain, type Shown } from "../errors";
import { ErrorBox, Field, Section } from "../ui/common";
import { href } from "../router";

/** The moves the rules allow from each stage (`won` only through converting). */
const MOVES: Record<Stage, Stage[]> = {
  new: ["contacted", "visited", "negotiating", "lost"],
  contacted: ["visited", "negotiating", "lost"],
  visited: ["negotiating", "lost"],
  negotiating: ["lost"],
  lost: ["contacted"],
  won: [],
};

export function LeadPage({ id }: { id: string }) {
  const [lead, setLead] = useState<Lead | null>(null);
  const [visits, setVisits] = useState<Visit[]>([]);
  const [history, setHistory] = useState<AuditEvent[]>([]);
  const [error, setError] = useState<Shown | null>(null);
  const [lostReason, setLostReason] = useState("");
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      const [l, v, h] = await Promise.all([
        call(api.GET("/api/v1/leads/{id}", { params: { path: { id } } })),
        call(api.GET("/api/v1/visits", { params: { query: { lead_id: id, limit: 50 } } })),
        call(api.GET("/api/v1/leads/{id}/history", { params: { path: { id }, query: { limit: 50 } } })),
      ]);
      setLead(l);
      setVisits(v.items);
      setHistory(h.items);
    } catch (e) {
      setError(explain(e));
    }
  }
  useEffect(() => void load(), [id]);

  async function move(stage: Stage) {
    if (!lead) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await call(
        api.PATCH("/api/v1/leads/{id}", {
          params: { path: { id }, header: { "If-Match": `"${lead.version}"` } },
          body: stage === "lost" ? { stage, lost_reason: lostReason.trim() } : { stage },
        }),
      );
      setLead(updated);
      void load();
    } catch (e) {
      setError(explain(e)); // the reason typed stays
    } finally {
      setBusy(false);
    }
  }

  if (!lead) return <main class="screen"><h1>{t("lead.title")}</h1><ErrorBox shown={error} /></main>;
  const facts: [string, string | null | undefined][] = [
    [t("stall.contact"), lead.contact_name],
    [t("stall.phone"), lead.phone],
    [t("stall.wechat"), lead.wechat_id],
    [t("stall.licence"), lead.business_license_no],
    [t("stall.market"), [lead.market, lead.district].filter(Boolean).join(" · ")],
    [t("stall.stallNo"), lead.stall_no],
    [t("lead.lastVisit"), formatDateTime(lead.last_visit_at)],
    [t("lead.nextFollowUp"), formatDateTime(lead.next_follow_up_at)],
    [t("account.value"), lead.estimated_value ? formatMoney(lead.estimated_value.amount, lead.estimated_value.currency) : null],
  ];
  return (
    <main class="screen">
      <h1>{lead.company_name}</h1>
      <a class="button primary" href={href(`/visit?lead=${lead.id}`)}>
        {t("day.logVisit")}
      </a>
      <Section title={t("lead.stage")}>
        <p class={`stage stage-${lead.stage}`} data-testid="lead-stage">{t(`stage.${lead.stage}`)}</p>
        {MOVES[lead.stage].includes("lost") && (
          <Field id="lost-reason" label={t("lead.lostReason")} value={lostReason} onInput={setLostReason} />
        )}
        <div class="chips">
          {MOVES[lead.stage].map((s) => (
            <button type="button" key={s} disabled={busy} onClick={() => void move(s)}>
              {t("lead.moveTo")} {t(`stage.${s}`)}
            </button>
          ))}
        </div>
        <ErrorBox shown={error} />
      </Section>
      <Section title={t("lead.facts")}>
        <dl class="facts">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v || t("common.none")}</dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section title={t("lead.visits")}>
        <ul class="list">
          {visits.map((v) => (
            <li key={v.id}>
              {formatDateTime(v.visited_at)} · {t(`purpose.${v.purpose}`)} · {t(`outcome.${v.outcome}`)}
              {v.notes && <p>{v.notes}</p>}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t("lead.history")}>
        <ul class="list">
          {history.map((h) => (
            <li key={h.id}>
              {formatDateTime(h.at)} · {h.action} · {Object.keys(h.changes ?? {}).join(", ")}
            </li>
          ))}
        </ul>
      </Section>
    </main>
  );
}
