/**
 * Visits (and new stalls) waiting to reach the server.
 *
 * Every visit is first written to IndexedDB with a client UUID, then sent through
 * `POST /visits/batch`. The server keeps client ids, so sending the same item again (a reply
 * lost on a weak signal, a reload mid-sync) stores nothing twice: it answers `duplicate`,
 * which the app counts as stored. Items the server refuses stay, with its field errors, for
 * the rep to fix and resend; nothing is dropped without the rep deleting it.
 */
import { api, call, ApiFailure } from "../api/client";
import type { NewVisit, ProblemField } from "../api/types";
import * as db from "./db";

export type QueueStatus = "waiting" | "stored" | "invalid";

export interface QueueItem {
  id: string;
  visit: NewVisit & { id: string };
  /** What the rep sees in the list: the stall's name. */
  label: string;
  status: QueueStatus;
  errors?: ProblemField[];
  queued_at: string;
  stored_at?: string;
}

const listeners = new Set<() => void>();
export function onQueueChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function changed(): void {
  listeners.forEach((l) => l());
}

export function newId(): string {
  return crypto.randomUUID();
}

export async function items(): Promise<QueueItem[]> {
  const list = await db.all<QueueItem>("queue");
  return list.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

/** Keeps the visit on the phone (committed before this resolves), then tries to send it. */
export async function enqueue(visit: NewVisit & { id: string }, label: string): Promise<QueueItem> {
  const item: QueueItem = { id: visit.id, visit, label, status: "waiting", queued_at: new Date().toISOString() };
  await db.put("queue", item);
  changed();
  void sync();
  return item;
}

/** Replaces a refused item's visit with the fixed one and sends it again. */
export async function resubmit(id: string, visit: NewVisit & { id: string }, label: string): Promise<void> {
  const old = await db.get<QueueItem>("queue", id);
  await db.put("queue", { ...(old ?? { queued_at: new Date().toISOString() }), id, visit, label, status: "waiting", errors: undefined });
  changed();
  void sync();
}

export async function discard(id: string): Promise<void> {
  await db.remove("queue", id);
  changed();
}

export async function clearStored(): Promise<void> {
  for (const item of await items()) if (item.status === "stored") await db.remove("queue", item.id);
  changed();
}

let syncing: Promise<void> | null = null;

/** Sends everything waiting, at most 500 at a time. Safe to call often (on start, `online`). */
export function sync(): Promise<void> {
  if (!syncing) {
    syncing = run().finally(() => {
      syncing = null;
    });
  }
  return syncing;
}

async function run(): Promise<void> {
  for (;;) {
    const waiting = (await items()).filter((i) => i.status === "waiting").slice(0, 500);
    if (waiting.length === 0) return;
    let results;
    try {
      results = (await call(api.POST("/api/v1/visits/batch", { body: { visits: waiting.map((i) => i.visit) } })))
        .results;
    } catch (error) {
      if (error instanceof ApiFailure && error.kind === "problem" && error.status === 422 && waiting.length === 1) {
        await db.put("queue", { ...waiting[0], status: "invalid", errors: error.problem?.errors ?? [] });
        changed();
        continue;
      }
      return; // offline or signed out: everything stays waiting
    }
    const now = new Date().toISOString();
    for (const [index, item] of waiting.entries()) {
      const result = results[index];
      if (!result) continue;
      if (result.status === "invalid") {
        await db.put("queue", { ...item, status: "invalid", errors: result.errors ?? [] });
      } else {
        await db.put("queue", { ...item, status: "stored", stored_at: now, errors: undefined });
      }
    }
    changed();
  }
}

export function counts(list: QueueItem[]): Record<QueueStatus, number> {
  const c = { waiting: 0, stored: 0, invalid: 0 };
  for (const i of list) c[i.status] += 1;
  return c;
}
