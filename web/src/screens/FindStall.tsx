import { useEffect, useState } from "preact/hooks";
import { api, call, isOffline } from "../api/client";
import type { Lead, SellerAccount } from "../api/types";
import { t } from "../i18n";
import * as cache from "../offline/cache";
import { explain, type Shown } from "../errors";
import { ErrorBox, Field } from "../ui/common";
import { href } from "../router";

function matches(text: string, ...values: (string | null | undefined)[]): boolean {
  const needle = text.trim().toLowerCase();
  return !needle || values.some((v) => v?.toLowerCase().includes(needle));
}

export function FindStall() {
  const [q, setQ] = useState("");
  const [market, setMarket] = useState("");
  const [district, setDistrict] = useState("");
  const [leads, setLeads] = useState<Lead[]>([]);
  const [accounts, setAccounts] = useState<SellerAccount[]>([]);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<Shown | null>(null);
  const [searched, setSearched] = useState(false);

  async function search(event?: Event) {
    event?.preventDefault();
    setError(null);
    const filters = {
      q: q.trim() || undefined,
      market: market.trim() || undefined,
      district: district.trim() || undefined,
    };
    try {
      const [l, a] = await Promise.all([
        call(api.GET("/api/v1/leads", { params: { query: { ...filters, limit: 50 } } })),
        call(
          api.GET("/api/v1/seller-accounts", {
            params: { query: { q: filters.q, market: filters.market, limit: 50 } },
          }),
        ),
      ]);
      await cache.remember(l.items, a.items);
      setLeads(l.items);
      setAccounts(a.items);
      setOffline(false);
    } catch (e) {
      if (!isOffline(e)) {
        setError(explain(e));
        return;
      }
      const known = await cache.known();
      setOffline(true);
      setLeads(
        Object.values(known.leads).filter(
          (l) =>
            matches(q, l.company_name, l.contact_name, l.phone, l.stall_no) &&
            matches(market, l.market) &&
            matches(district, l.district),
        ),
      );
      setAccounts(
        Object.values(known.accounts).filter(
          (a) => matches(q, a.company_name, a.contact_name, a.phone, a.stall_no) && matches(market, a.market),
        ),
      );
    } finally {
      setSearched(true);
    }
  }

  useEffect(() => {
    void search();
  }, []);

  return (
    <main class="screen">
      <h1>{t("find.title")}</h1>
      <form class="search" onSubmit={search} role="search">
        <Field id="q" label={t("find.q")} value={q} onInput={setQ} type="search" inputmode="search" />
        <div class="two">
          <Field id="market" label={t("find.market")} value={market} onInput={setMarket} />
          <Field id="district" label={t("find.district")} value={district} onInput={setDistrict} />
        </div>
        <button class="primary" type="submit">
          {t("find.search")}
        </button>
      </form>
      {offline && <p class="note">{t("find.offlineHint")}</p>}
      <ErrorBox shown={error} />
      <h2>{t("find.leads")}</h2>
      {searched && leads.length === 0 && <p>{t("find.none")}</p>}
      <ul class="list results" data-testid="lead-results">
        {leads.map((lead) => (
          <li key={lead.id} class="result">
            <a class="row-link" href={href(`/visit?lead=${lead.id}`)} data-testid="lead-result">
              <strong>{lead.company_name}</strong>
              <span>
                {[lead.market, lead.stall_no, lead.contact_name].filter(Boolean).join(" · ")} · {t(`stage.${lead.stage}`)}
              </span>
            </a>
            <a class="button small" href={href(`/leads/${lead.id}`)} aria-label={`${t("lead.title")}: ${lead.company_name}`}>
              ⓘ
            </a>
          </li>
        ))}
      </ul>
      <h2>{t("find.accounts")}</h2>
      {searched && accounts.length === 0 && <p>{t("find.none")}</p>}
      <ul class="list results">
        {accounts.map((account) => (
          <li key={account.id} class="result">
            <a class="row-link" href={href(`/visit?account=${account.id}`)}>
              <strong>{account.company_name}</strong>
              <span>{[account.market, account.stall_no].filter(Boolean).join(" · ")}</span>
            </a>
            <a class="button small" href={href(`/accounts/${account.id}`)} aria-label={`${t("account.title")}: ${account.company_name}`}>
              ⓘ
            </a>
          </li>
        ))}
      </ul>
      <a class="button" href={href("/new-stall")}>
        {t("find.new")}
      </a>
    </main>
  );
}
