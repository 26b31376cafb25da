import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { SellerAccount } from "../api/types";
import { formatDay, formatMoney, t } from "../i18n";
import { explain, type Shown } from "../errors";
import { ErrorBox, Section } from "../ui/common";
import { href } from "../router";

export function AccountPage({ id }: { id: string }) {
  const [account, setAccount] = useState<SellerAccount | null>(null);
  const [error, setError] = useState<Shown | null>(null);
  useEffect(() => {
    call(api.GET("/api/v1/seller-accounts/{id}", { params: { path: { id } } }))
      .then(setAccount)
      .catch((e) => setError(explain(e)));
  }, [id]);
  if (!account) return <main class="screen"><h1>{t("account.title")}</h1><ErrorBox shown={error} /></main>;
  return (
    <main class="screen">
      <h1>{account.company_name}</h1>
      <a class="button primary" href={href(`/visit?account=${account.id}`)}>
        {t("day.logVisit")}
      </a>
      <Section title={t("account.title")}>
        <dl class="facts">
          <div><dt>{t("account.status")}</dt><dd>{t(`accountStatus.${account.status}`)}</dd></div>
          <div><dt>{t("account.tier")}</dt><dd>{t(`tier.${account.membership_tier}`)}</dd></div>
          <div><dt>{t("account.value")}</dt><dd>{formatMoney(account.contract_value.amount, account.contract_value.currency)}</dd></div>
          <div><dt>{t("account.renewal")}</dt><dd>{formatDay(account.contract_end)}</dd></div>
          <div><dt>{t("stall.contact")}</dt><dd>{account.contact_name ?? t("common.none")}</dd></div>
          <div><dt>{t("stall.phone")}</dt><dd>{account.phone ?? t("common.none")}</dd></div>
          <div><dt>{t("stall.market")}</dt><dd>{[account.market, account.stall_no].filter(Boolean).join(" · ") || t("common.none")}</dd></div>
        </dl>
        <p>{t("account.contract", { start: formatDay(account.contract_start), end: formatDay(account.contract_end) })}</p>
      </Section>
    </main>
  );
}
