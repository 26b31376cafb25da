/** The teams a team lead or manager looks after: their own, or each of their branch. */
import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { Team } from "../api/types";
import { currentUser } from "../session";
import { t } from "../i18n";

export function useTeams(): Team[] {
  const [teams, setTeams] = useState<Team[]>([]);
  useEffect(() => {
    call(api.GET("/api/v1/teams", { params: { query: { limit: 200 } } }))
      .then((page) => setTeams(page.items))
      .catch(() => setTeams([]));
  }, []);
  return teams;
}

export function TeamPicker({ teams, value, onChange }: { teams: Team[]; value: string | null; onChange: (id: string) => void }) {
  if (teams.length <= 1) return null;
  return (
    <div class="field">
      <label for="team">{t("meeting.team")}</label>
      <select id="team" value={value ?? ""} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {teams.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The teams on offer and the one shown: the one picked, else the caller's own, else the first.
 * The default is derived, not set by an effect: an effect scheduled when the list arrived ran
 * after a pick made at that moment and overwrote it with the default.
 */
export function useTeamChoice(): { teams: Team[]; teamId: string | null; pick: (id: string) => void } {
  const teams = useTeams();
  const [picked, pick] = useState<string | null>(null);
  return { teams, teamId: picked ?? defaultTeam(teams), pick };
}

function defaultTeam(teams: Team[]): string | null {
  const mine = currentUser()?.team_id;
  return teams.find((team) => team.id === mine)?.id ?? teams[0]?.id ?? mine ?? null;
}
