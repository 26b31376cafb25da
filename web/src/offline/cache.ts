/** Reads kept on the phone so the app can show the day and find stalls without network. */
import * as db from "./db";
import type { Lead, MyDay, SellerAccount } from "../api/types";

export interface Cached<T> {
  value: T;
  at: string;
}

export async function save<T>(key: string, value: T): Promise<void> {
  await db.put("cache", { value, at: new Date().toISOString() } satisfies Cached<T>, key);
}

export async function load<T>(key: string): Promise<Cached<T> | undefined> {
  return db.get<Cached<T>>("cache", key);
}

export const dayKey = (userId: string) => `day:${userId}`;
export type DayCache = { day: MyDay; renewals: SellerAccount[] };

/**
 * The last day seen is also kept in localStorage: read synchronously, it is on screen in the
 * first frame of an offline start, before IndexedDB has even opened.
 */
export function loadDaySync(userId: string): Cached<DayCache> | null {
  try {
    return JSON.parse(localStorage.getItem(`ironfield.${dayKey(userId)}`) ?? "null");
  } catch {
    return null;
  }
}

export function saveDaySync(userId: string, value: DayCache): void {
  try {
    localStorage.setItem(`ironfield.${dayKey(userId)}`, JSON.stringify({ value, at: new Date().toISOString() }));
  } catch {
    /* full: IndexedDB still has it */
  }
}

/** Every lead and account the rep has seen, by id, for offline search and visit forms. */
export async function remember(leads: Lead[], accounts: SellerAccount[]): Promise<void> {
  const known = (await load<Known>("known"))?.value ?? { leads: {}, accounts: {} };
  for (const l of leads) known.leads[l.id] = l;
  for (const a of accounts) known.accounts[a.id] = a;
  await save("known", known);
}

export interface Known {
  leads: Record<string, Lead>;
  accounts: Record<string, SellerAccount>;
}

export async function known(): Promise<Known> {
  return (await load<Known>("known"))?.value ?? { leads: {}, accounts: {} };
}
