/** Message catalogues and locale-aware formatting (in the organisation's time zone). */
import { zhCN } from "./zh-CN";
import { en } from "./en";

export type MessageKey = keyof typeof zhCN;
export type Catalogue = Record<MessageKey, string>;
export type Locale = "zh-CN" | "en";

const catalogues: Record<Locale, Catalogue> = { "zh-CN": zhCN, en };
const LOCALE_KEY = "ironfield.locale";
const TZ_KEY = "ironfield.timezone";

/** The saved choice, else the browser's languages (zh first), else Chinese. */
function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved === "zh-CN" || saved === "en") return saved;
  for (const lang of navigator.languages ?? [navigator.language]) {
    const l = lang.toLowerCase();
    if (l.startsWith("zh")) return "zh-CN";
    if (l.startsWith("en")) return "en";
  }
  return "zh-CN";
}

let locale: Locale = initialLocale();
let timeZone: string = localStorage.getItem(TZ_KEY) ?? "Asia/Shanghai";

export function currentLocale(): Locale {
  return locale;
}

export function setLocale(next: Locale): void {
  locale = next;
  localStorage.setItem(LOCALE_KEY, next);
  document.documentElement.lang = next;
}

/** The organisation's time zone, as the API reports it (`/me/day`). */
export function setTimeZone(tz: string): void {
  timeZone = tz;
  localStorage.setItem(TZ_KEY, tz);
}

export function orgTimeZone(): string {
  return timeZone;
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let text = catalogues[locale][key] ?? zhCN[key] ?? key;
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      text = text.split(`{${name}}`).join(typeof value === "number" ? formatNumber(value) : value);
    }
  }
  return text;
}

// Building an Intl formatter is slow (tens of ms on a slow phone); keep one per shape.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function dtf(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = "d" + lang + JSON.stringify(options);
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(lang, options)));
  return f;
}
function nf(options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = "n" + locale + JSON.stringify(options);
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function formatNumber(n: number): string {
  return nf().format(n);
}

export function formatMoney(minor: number, currency = "CNY"): string {
  return nf({ style: "currency", currency, maximumFractionDigits: 0 }).format(minor / 100);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t("common.none");
  return dtf(locale, { timeZone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function formatTime(iso: string): string {
  return dtf(locale, { timeZone, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** A calendar day (`YYYY-MM-DD`, already a day in the organisation's zone). */
export function formatDay(day: string | null | undefined): string {
  if (!day) return t("common.none");
  const [y, m, d] = day.split("-").map(Number);
  return dtf(locale, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** Today's date in the organisation's time zone, `YYYY-MM-DD`. */
export function orgToday(now = new Date()): string {
  return dtf("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** `YYYY-MM` of `now` in the organisation's zone, shifted by `months`. */
export function orgPeriod(months = 0, now = new Date()): string {
  const [y, m] = orgToday(now).split("-").map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

document.documentElement.lang = locale;
