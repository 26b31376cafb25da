/**
 * Logging a visit: on a chosen lead or account (purpose is preselected, so outcome + save is
 * two taps), or a new stall and its first visit in one form (`new_lead`). Everything goes
 * into the phone's queue first; nothing typed is lost when the network or the server says no.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, call } from "../api/client";
import type { DuplicateMatch, Lead, NewLead, NewVisit, Outcome, Purpose, SellerAccount } from "../api/types";
import { t, type MessageKey } from "../i18n";
import * as cache from "../offline/cache";
import { enqueue, items, newId, resubmit } from "../offline/queue";
import { fieldError, Choice, ErrorBox, Field } from "../ui/common";
import { navigate, query } from "../router";
import type { Shown } from "../errors";

const PURPOSES: readonly Purpose[] = ["prospecting", "follow_up", "signing", "account_service"];
const OUTCOMES: readonly Outcome[] = [
  "interested",
  "follow_up_scheduled",
  "no_contact",
  "not_interested",
  "signed",
  "issue_resolved",
];

type StallFields = Record<"company_name" | "contact_name" | "phone" | "wechat_id" | "business_license_no" | "market" | "district" | "stall_no", string>;
const EMPTY_STALL: StallFields = {
  company_name: "",
  contact_name: "",
  phone: "",
  wechat_id: "",
  business_license_no: "",
  market: "",
  district: "",
  stall_no: "",
};
const STALL_LABELS: Record<keyof StallFields, MessageKey> = {
  company_name: "stall.company",
  contact_name: "stall.contact",
  phone: "stall.phone",
  wechat_id: "stall.wechat",
  business_license_no: "stall.licence",
  market: "stall.market",
  district: "stall.district",
  stall_no: "stall.stallNo",
};

type Location = { lat: number; lng: number; accuracy_m: number };

function useLocation(): Location | null {
  const [location, setLocation] = useState<Location | null>(null);
  useEffect(() => {
    if (!("geolocation" in navigator)) return;
    navigator.geolocation.getCurrentPosition(
      (p) => setLocation({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy) }),
      () => setLocation(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
    );
  }, []);
  return location;
}

function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function LogVisit({ newStall }: { newStall?: boolean }) {
  const leadId = query("lead");
  const accountId = query("account");
  const fixId = query("fix");
  const [lead, setLead] = useState<Lead | null>(null);
  const [account, setAccount] = useState<SellerAccount | null>(null);
  const [isNew, setIsNew] = useState(!!newStall);
  const [stall, setStall] = useState<StallFields>(EMPTY_STALL);
  const [purpose, setPurpose] = useState<Purpose | null>(newStall ? "prospecting" : null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [notes, setNotes] = useState("");
  const [followUp, setFollowUp] = useState("");
  const [duration, setDuration] = useState("");
  const [shown, setShown] = useState<Shown | null>(null);
  const [duplicates, setDuplicates] = useState<DuplicateMatch[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [visitId] = useState(() => fixId ?? newId());
  const [leadClientId, setLeadClientId] = useState(() => newId());
  const location = useLocation();
  const timer = useRef<number>();

  // The lead or account chosen (from the server, else from what the phone already knows).
  useEffect(() => {
    void (async () => {
      const known = await cache.known();
      if (leadId) {
        const local = known.leads[leadId];
        if (local) setLead(local);
        try {
          const fetched = await call(api.GET("/api/v1/leads/{id}", { params: { path: { id: leadId } } }));
          setLead(fetched);
          await cache.remember([fetched], []);
        } catch {
          /* offline: the known copy will do */
        }
      }
      if (accountId) {
        const local = known.accounts[accountId];
        if (local) setAccount(local);
        try {
          setAccount(await call(api.GET("/api/v1/seller-accounts/{id}", { params: { path: { id: accountId } } })));
        } catch {
          /* offline */
        }
      }
      if (fixId) {
        // Fixing a refused item: refill the form with what was sent.
        const item = (await items()).find((i) => i.id === fixId);
        if (item) {
          const v = item.visit;
          setPurpose(v.purpose);
          setOutcome(v.outcome);
          setNotes(v.notes ?? "");
          setFollowUp(localInput(v.next_follow_up_at));
          setDuration(v.duration_minutes ? String(v.duration_minutes) : "");
          setShown({ message: t("error.validation_failed"), fields: item.errors ?? [] });
          if (v.new_lead) {
            setIsNew(true);
            const nl = v.new_lead as Record<string, unknown>;
            const filled = { ...EMPTY_STALL };
            for (const k of Object.keys(EMPTY_STALL) as (keyof StallFields)[]) filled[k] = (nl[k] as string) ?? "";
            setStall(filled);
            if (typeof nl.id === "string") setLeadClientId(nl.id);
          } else if (v.lead_id && known.leads[v.lead_id]) {
            setLead(known.leads[v.lead_id]);
          } else if (v.seller_account_id && known.accounts[v.seller_account_id]) {
            setAccount(known.accounts[v.seller_account_id]);
          }
        }
      }
    })();
  }, [leadId, accountId, fixId]);

  // The purpose is preselected from what is visited, but never over one already picked: the
  // update reads the purpose at the moment it applies, not the one this effect's render saw.
  useEffect(() => {
    const preselected: Purpose | null = account ? "account_service" : lead ? (lead.last_visit_at ? "follow_up" : "prospecting") : null;
    if (preselected) setPurpose((picked) => picked ?? preselected);
  }, [lead, account]);

  // The duplicate check runs while a new stall's identifying fields are typed.
  useEffect(() => {
    if (!isNew) return;
    const { phone, wechat_id, business_license_no, market, stall_no } = stall;
    const asked = phone.trim() || wechat_id.trim() || business_license_no.trim() || (market.trim() && stall_no.trim());
    window.clearTimeout(timer.current);
    if (!asked) {
      setDuplicates(null);
      return;
    }
    timer.current = window.setTimeout(async () => {
      setChecking(true);
      try {
        const answer = await call(
          api.GET("/api/v1/leads/duplicates", {
            params: {
              query: {
                phone: phone.trim() || undefined,
                wechat_id: wechat_id.trim() || undefined,
                business_license_no: business_license_no.trim() || undefined,
                market: market.trim() || undefined,
                stall_no: stall_no.trim() || undefined,
              },
            },
          }),
        );
        setDuplicates(answer.matches);
      } catch {
        setDuplicates(null); // offline or a half-typed number: the server checks again on save
      } finally {
        setChecking(false);
      }
    }, 400);
  }, [isNew, stall.phone, stall.wechat_id, stall.business_license_no, stall.market, stall.stall_no]);

  const target = isNew ? stall.company_name || t("stall.title") : (lead?.company_name ?? account?.company_name ?? "");

  async function save(event: Event) {
    event.preventDefault();
    if (!purpose || !outcome) {
      setShown({
        message: t("error.validation_failed"),
        fields: [
          ...(!purpose ? [{ field: "purpose", message: t("visit.purpose") }] : []),
          ...(!outcome ? [{ field: "outcome", message: t("visit.outcome") }] : []),
        ],
      });
      return;
    }
    const visit: NewVisit & { id: string } = {
      id: visitId,
      visited_at: new Date().toISOString(),
      purpose,
      outcome,
      notes: notes.trim() || undefined,
      next_follow_up_at: followUp ? new Date(followUp).toISOString() : undefined,
      duration_minutes: duration ? Number(duration) : undefined,
      location: location ?? undefined,
    };
    if (isNew) {
      const newLead: NewLead = { id: leadClientId, company_name: stall.company_name.trim() };
      const fields = newLead as unknown as Record<string, string>;
      for (const [k, v] of Object.entries(stall)) if (v.trim()) fields[k] = v.trim();
      visit.new_lead = newLead;
      visit.market = stall.market.trim() || undefined;
      visit.district = stall.district.trim() || undefined;
      visit.stall_no = stall.stall_no.trim() || undefined;
    } else if (lead) {
      visit.lead_id = lead.id;
    } else if (account) {
      visit.seller_account_id = account.id;
    } else {
      return;
    }
    if (fixId) await resubmit(fixId, visit, target);
    else await enqueue(visit, isNew ? t("queue.newStall", { name: target }) : target);
    navigate(fixId ? "/queue" : "/");
  }


  return (
    <main class="screen">
      <h1>{isNew ? t("stall.title") : t("visit.for", { name: target })}</h1>
      <form onSubmit={save} novalidate>
        {isNew && (
          <fieldset class="stall">
            {(Object.keys(STALL_LABELS) as (keyof StallFields)[]).map((k) => (
              <Field
                key={k}
                id={`stall-${k}`}
                label={t(STALL_LABELS[k])}
                value={stall[k]}
                inputmode={k === "phone" ? "tel" : undefined}
                error={fieldError(shown, k)}
                onInput={(value) => setStall((s) => ({ ...s, [k]: value }))}
              />
            ))}
            <div class="dupes" aria-live="polite" data-testid="duplicates">
              {checking && <p class="note">{t("stall.checking")}</p>}
              {!checking && duplicates?.length === 0 && <p class="note ok">{t("stall.noDuplicate")}</p>}
              {duplicates?.map((d, i) => (
                <p class="warning" key={i}>
                  {d.visible && d.company_name
                    ? t("stall.duplicate", { name: d.company_name, fields: d.matched_on.join(", ") })
                    : t("stall.duplicateHidden", { fields: d.matched_on.join(", ") })}{" "}
                  {d.visible && d.id && d.type === "lead" && (
                    <a class="button small" href={`/app/visit?lead=${d.id}`}>
                      {t("stall.open")}
                    </a>
                  )}
                </p>
              ))}
            </div>
          </fieldset>
        )}
        <Choice legend={t("visit.purpose")} name="purpose" options={PURPOSES} value={purpose} onChange={setPurpose} label={(p) => t(`purpose.${p}`)} />
        <Choice legend={t("visit.outcome")} name="outcome" options={OUTCOMES} value={outcome} onChange={setOutcome} label={(o) => t(`outcome.${o}`)} />
        <details>
          <summary>{t("visit.more")}</summary>
          <label for="notes">{t("visit.notes")}</label>
          <textarea id="notes" value={notes} onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
          <Field id="follow-up" type="datetime-local" label={t("visit.nextFollowUp")} value={followUp} onInput={setFollowUp} error={fieldError(shown, "next_follow_up_at")} />
          <Field id="duration" type="number" inputmode="numeric" label={t("visit.duration")} value={duration} onInput={setDuration} error={fieldError(shown, "duration_minutes")} />
        </details>
        <p class="note">{location ? t("visit.location", { accuracy: location.accuracy_m }) : t("visit.noLocation")}</p>
        <ErrorBox shown={shown} />
        <button class="primary" type="submit" data-testid="save-visit">
          {t("visit.save")}
        </button>
      </form>
    </main>
  );
}
