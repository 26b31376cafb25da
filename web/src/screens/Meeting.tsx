import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { AttendanceStatus, Meeting as MeetingT, MeetingSummary, User } from "../api/types";
import { formatDay, orgToday, t } from "../i18n";
import { explain, type Shown } from "../errors";
import { Choice, ErrorBox, Section } from "../ui/common";
import { TeamPicker, useTeamChoice } from "../ui/teams";

const STATUSES: readonly AttendanceStatus[] = ["present", "late", "absent", "excused"];

export function Meeting() {
  const { teams, teamId, pick } = useTeamChoice();
  const [meeting, setMeeting] = useState<MeetingT | null>(null);
  const [members, setMembers] = useState<User[]>([]);
  const [attendance, setAttendance] = useState<Record<string, AttendanceStatus>>({});
  const [plans, setPlans] = useState<Record<string, { visits: string; signings: string }>>({});
  const [summary, setSummary] = useState<MeetingSummary | null>(null);
  const [error, setError] = useState<Shown | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const today = orgToday();

  // Switching teams while one is loading must not let the older team's answer land last, so a
  // load drops its answers once it is no longer the current one.
  async function load(team: string, isCurrent: () => boolean) {
    setError(null);
    try {
      const [found, people] = await Promise.all([
        call(api.GET("/api/v1/meetings", { params: { query: { team_id: team, date: today } } })),
        call(api.GET("/api/v1/teams/{id}/members", { params: { path: { id: team }, query: { limit: 200 } } })),
      ]);
      if (!isCurrent()) return;
      setMembers(people.items.filter((u) => u.active));
      const m = found.items[0] ?? null;
      setMeeting(m);
      setSummary(null);
      if (m) await loadSummary(m.id, isCurrent);
    } catch (e) {
      if (isCurrent()) setError(explain(e));
    } finally {
      if (isCurrent()) setLoaded(true);
    }
  }

  async function loadSummary(id: string, isCurrent: () => boolean = () => true) {
    const s = await call(api.GET("/api/v1/meetings/{id}/summary", { params: { path: { id } } }));
    if (!isCurrent()) return;
    setSummary(s);
    const a: Record<string, AttendanceStatus> = {};
    const p: Record<string, { visits: string; signings: string }> = {};
    for (const m of s.members) {
      if (m.attendance) a[m.user_id] = m.attendance;
      p[m.user_id] = { visits: String(m.plan?.planned_visits ?? ""), signings: String(m.plan?.planned_signings ?? "") };
    }
    setAttendance((old) => ({ ...a, ...old }));
    setPlans((old) => ({ ...p, ...old }));
  }

  useEffect(() => {
    if (!teamId) return;
    let current = true;
    void load(teamId, () => current);
    return () => {
      current = false;
    };
  }, [teamId]);

  async function open() {
    if (!teamId) return;
    try {
      const m = await call(api.POST("/api/v1/meetings", { body: { team_id: teamId, date: today } }));
      setMeeting(m);
      await loadSummary(m.id);
    } catch (e) {
      setError(explain(e));
    }
  }

  async function saveAttendance() {
    if (!meeting) return;
    setError(null);
    try {
      await call(
        api.PUT("/api/v1/meetings/{id}/attendance", {
          params: { path: { id: meeting.id } },
          body: Object.entries(attendance).map(([user_id, status]) => ({ user_id, status })),
        }),
      );
      setSaved("attendance");
      await loadSummary(meeting.id);
    } catch (e) {
      setError(explain(e));
    }
  }

  async function savePlan(userId: string) {
    if (!meeting) return;
    setError(null);
    const plan = plans[userId] ?? { visits: "", signings: "" };
    try {
      await call(
        api.PUT("/api/v1/meetings/{id}/plans/{user_id}", {
          params: { path: { id: meeting.id, user_id: userId } },
          body: { planned_visits: Number(plan.visits || 0), planned_signings: Number(plan.signings || 0) },
        }),
      );
      setSaved(userId);
      await loadSummary(meeting.id);
    } catch (e) {
      setError(explain(e));
    }
  }

  return (
    <main class="screen">
      <h1>
        {t("meeting.title")} · {formatDay(today)}
      </h1>
      <TeamPicker teams={teams} value={teamId} onChange={pick} />
      <ErrorBox shown={error} />
      {loaded && !meeting && (
        <button type="button" class="primary" onClick={() => void open()}>
          {t("meeting.open")}
        </button>
      )}
      {meeting && (
        <>
          <Section title={t("meeting.attendance")}>
            {members.map((m) => (
              <Choice
                key={m.id}
                legend={m.name}
                name={`att-${m.id}`}
                options={STATUSES}
                value={attendance[m.id] ?? null}
                onChange={(s) => setAttendance((a) => ({ ...a, [m.id]: s }))}
                label={(s) => t(`attendance.${s}`)}
              />
            ))}
            <button type="button" class="primary" onClick={() => void saveAttendance()}>
              {t("meeting.saveAttendance")}
            </button>
            {saved === "attendance" && <p class="note ok">{t("meeting.saved")}</p>}
          </Section>
          <Section title={t("meeting.plans")}>
            {members.map((m) => {
              const plan = plans[m.id] ?? { visits: "", signings: "" };
              return (
                <div class="plan-row" key={m.id}>
                  <strong>{m.name}</strong>
                  <label>
                    {t("meeting.plannedVisits")}
                    <input
                      type="number"
                      min="0"
                      inputMode="numeric"
                      value={plan.visits}
                      onInput={(e) => setPlans((p) => ({ ...p, [m.id]: { ...plan, visits: (e.currentTarget as HTMLInputElement).value } }))}
                    />
                  </label>
                  <label>
                    {t("meeting.plannedSignings")}
                    <input
                      type="number"
                      min="0"
                      inputMode="numeric"
                      value={plan.signings}
                      onInput={(e) => setPlans((p) => ({ ...p, [m.id]: { ...plan, signings: (e.currentTarget as HTMLInputElement).value } }))}
                    />
                  </label>
                  <button type="button" onClick={() => void savePlan(m.id)}>
                    {t("meeting.savePlan")}
                  </button>
                  {saved === m.id && <span class="note ok">{t("meeting.saved")}</span>}
                </div>
              );
            })}
          </Section>
          {summary && (
            <Section title={t("meeting.summary")}>
              <table class="table" data-testid="summary">
                <thead>
                  <tr>
                    <th scope="col">{t("meeting.member")}</th>
                    <th scope="col">{t("meeting.attendance")}</th>
                    <th scope="col">{t("metric.visits")}</th>
                    <th scope="col">{t("metric.new_sellers")}</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.members.map((m) => (
                    <tr key={m.user_id} data-user={m.user_id}>
                      <th scope="row">{m.name}</th>
                      <td>{m.attendance ? t(`attendance.${m.attendance}`) : t("common.none")}</td>
                      <td class="num" data-testid="visits-vs-plan">
                        {m.actual.visits} / {m.plan?.planned_visits ?? 0}
                      </td>
                      <td class="num">
                        {m.actual.signings} / {m.plan?.planned_signings ?? 0}
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t("meeting.totals")}</th>
                    <td>
                      {summary.totals.present + summary.totals.late}/{members.length}
                    </td>
                    <td class="num">
                      {summary.totals.actual_visits} / {summary.totals.planned_visits}
                    </td>
                    <td class="num">
                      {summary.totals.actual_signings} / {summary.totals.planned_signings}
                    </td>
                  </tr>
                </tfoot>
              </table>
            </Section>
          )}
        </>
      )}
    </main>
  );
}
