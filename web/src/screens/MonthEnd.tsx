import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { Leaderboard, Metric, MetricsProgress, ProgressReport, TargetInput } from "../api/types";
import { formatDay, formatMoney, formatNumber, orgPeriod, t } from "../i18n";
import { explain, type Shown } from "../errors";
import { ErrorBox, Section } from "../ui/common";
import { BurnUp } from "../ui/BurnUp";
import { TeamPicker, useTeamChoice } from "../ui/teams";

const METRICS: readonly Metric[] = ["visits", "new_sellers", "contract_value", "renewals"];

function fmt(metric: Metric, n: number | null | undefined): string {
  if (n === null || n === undefined) return t("common.none");
  return metric === "contract_value" ? formatMoney(n) : formatNumber(n);
}

function MetricTable({ metrics, testid }: { metrics: MetricsProgress; testid: string }) {
  return (
    <table class="table metrics" data-testid={testid}>
      <thead>
        <tr>
          <th scope="col">{t("month.metric")}</th>
          <th scope="col">{t("month.actual")}</th>
          <th scope="col">{t("month.target")}</th>
          <th scope="col">{t("month.expected")}</th>
          <th scope="col">{t("month.projected")}</th>
          <th scope="col">{t("month.needed")}</th>
        </tr>
      </thead>
      <tbody>
        {METRICS.map((m) => {
          const p = metrics[m];
          return (
            <tr key={m} data-metric={m}>
              <th scope="row">
                {t(`metric.${m}`)}
                <span class={`status status-${p.status}`}>{t(`status.${p.status}`)}</span>
              </th>
              <td class="num" data-field="actual">{fmt(m, p.actual)}</td>
              <td class="num" data-field="target">{fmt(m, p.target)}</td>
              <td class="num" data-field="expected_to_date">{fmt(m, p.expected_to_date)}</td>
              <td class="num" data-field="projected">{fmt(m, p.projected)}</td>
              <td class="num" data-field="needed_per_working_day">{fmt(m, p.needed_per_working_day)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MonthEnd() {
  const { teams, teamId, pick } = useTeamChoice();
  const [report, setReport] = useState<ProgressReport | null>(null);
  const [board, setBoard] = useState<Leaderboard | null>(null);
  const [metric, setMetric] = useState<Metric>("visits");
  const [next, setNext] = useState<Record<string, string>>({});
  const [error, setError] = useState<Shown | null>(null);
  const [saved, setSaved] = useState(false);
  const period = orgPeriod(0);
  const nextPeriod = orgPeriod(1);

  // Switching teams while a team's figures are still loading must not let the older answer
  // land last: each load ignores its answer once the team (or metric) has changed.
  useEffect(() => {
    if (!teamId) return;
    let current = true;
    setError(null);
    Promise.all([
      call(api.GET("/api/v1/targets/{period}/progress", { params: { path: { period }, query: { team_id: teamId } } })),
      call(api.GET("/api/v1/targets", { params: { query: { period: nextPeriod, team_id: teamId, limit: 200 } } })),
    ])
      .then(([r, targets]) => {
        if (!current) return;
        setReport(r);
        const values: Record<string, string> = {};
        for (const target of targets.items) values[`${target.subject_id}:${target.metric}`] = String(target.metric === "contract_value" ? target.value / 100 : target.value);
        setNext(values);
      })
      .catch((e) => current && setError(explain(e)));
    return () => {
      current = false;
    };
  }, [teamId]);

  useEffect(() => {
    if (!teamId) return;
    let current = true;
    call(api.GET("/api/v1/leaderboard", { params: { query: { period, metric, team_id: teamId } } }))
      .then((b) => current && setBoard(b))
      .catch((e) => current && setError(explain(e)));
    return () => {
      current = false;
    };
  }, [teamId, metric]);

  async function saveTargets(event: Event) {
    event.preventDefault();
    if (!report) return;
    const body: TargetInput[] = [];
    for (const [key, value] of Object.entries(next)) {
      if (value.trim() === "") continue;
      const [subject, m] = key.split(":");
      const isTeam = report.teams.some((team) => team.team_id === subject);
      const raw = Number(value);
      body.push({ subject_type: isTeam ? "team" : "user", subject_id: subject, metric: m as Metric, value: m === "contract_value" ? Math.round(raw * 100) : raw });
    }
    setError(null);
    try {
      await call(api.PUT("/api/v1/targets/{period}", { params: { path: { period: nextPeriod } }, body }));
      setSaved(true);
    } catch (e) {
      setError(explain(e)); // the figures typed stay in the form
    }
  }

  const wd = report?.working_days;
  const team = report?.teams.find((x) => x.team_id === teamId) ?? report?.teams[0];
  return (
    <main class="screen wide">
      <h1>
        {t("month.title")} · {period}
      </h1>
      <TeamPicker teams={teams} value={teamId} onChange={pick} />
      <ErrorBox shown={error} />
      {report && wd && (
        <p class="note">{t("month.asOf", { date: formatDay(report.as_of), elapsed: wd.elapsed, total: wd.total, left: wd.left })}</p>
      )}
      {team && wd && (
        <Section title={`${t("month.team")}: ${team.name}`}>
          <MetricTable metrics={team.metrics} testid={`team-${team.team_id}`} />
          <div class="charts">
            {METRICS.map((m) => (
              <BurnUp key={m} title={t("month.chart", { metric: t(`metric.${m}`) })} progress={team.metrics[m]} total={wd.total} elapsed={wd.elapsed} format={(n) => fmt(m, n)} />
            ))}
          </div>
        </Section>
      )}
      {report && (
        <Section title={t("month.reps")}>
          {report.reps.map((rep) => (
            <details key={rep.user_id} class="rep" open={report.reps.length <= 3}>
              <summary>{rep.name}</summary>
              <MetricTable metrics={rep.metrics} testid={`rep-${rep.user_id}`} />
            </details>
          ))}
        </Section>
      )}
      <Section title={t("month.leaderboard")}>
        <div class="field">
          <label for="metric">{t("month.metric")}</label>
          <select id="metric" value={metric} onChange={(e) => setMetric((e.currentTarget as HTMLSelectElement).value as Metric)}>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {t(`metric.${m}`)}
              </option>
            ))}
          </select>
        </div>
        <ol class="list board">
          {board?.items.map((entry) => (
            <li key={entry.user_id}>
              <span class="rank">{entry.rank}</span> {entry.name} · {fmt(metric, entry.actual)} / {fmt(metric, entry.target)}{" "}
              <span class={`status status-${entry.status}`}>{t(`status.${entry.status}`)}</span>
            </li>
          ))}
        </ol>
      </Section>
      {report && (
        <Section title={t("month.setTargets", { period: nextPeriod })}>
          <form onSubmit={saveTargets}>
            <table class="table targets">
              <thead>
                <tr>
                  <th scope="col">{t("meeting.member")}</th>
                  {METRICS.map((m) => (
                    <th scope="col" key={m}>{t(`metric.${m}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[...report.teams.map((x) => ({ id: x.team_id, name: x.name })), ...report.reps.map((r) => ({ id: r.user_id, name: r.name }))].map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.name}</th>
                    {METRICS.map((m) => (
                      <td key={m}>
                        <input
                          type="number"
                          min="0"
                          inputMode="numeric"
                          aria-label={`${s.name} ${t(`metric.${m}`)}`}
                          value={next[`${s.id}:${m}`] ?? ""}
                          onInput={(e) => setNext((v) => ({ ...v, [`${s.id}:${m}`]: (e.currentTarget as HTMLInputElement).value }))}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <button class="primary" type="submit">
              {t("month.saveTargets")}
            </button>
            {saved && <p class="note ok">{t("meeting.saved")}</p>}
          </form>
        </Section>
      )}
    </main>
  );
}
