import { useEffect, useState } from "preact/hooks";
import { t, formatDateTime, type MessageKey } from "../i18n";
import { clearStored, discard, items, onQueueChange, sync, type QueueItem } from "../offline/queue";
import { href } from "../router";
import { fieldLabel } from "../i18n/fields";

export function Queue() {
  const [list, setList] = useState<QueueItem[]>([]);
  useEffect(() => {
    const load = () => void items().then(setList);
    load();
    return onQueueChange(load);
  }, []);

  const groups: QueueItem["status"][] = ["invalid", "waiting", "stored"];
  const title: Record<QueueItem["status"], MessageKey> = { waiting: "queue.waiting", stored: "queue.stored", invalid: "queue.invalid" };
  return (
    <main class="screen">
      <h1>{t("queue.title")}</h1>
      <div class="actions">
        <button type="button" class="primary" onClick={() => void sync()}>
          {t("queue.syncNow")}
        </button>
        <button type="button" onClick={() => void clearStored()}>
          {t("queue.clearStored")}
        </button>
      </div>
      {list.filter((i) => i.status !== "stored").length === 0 && <p>{t("queue.empty")}</p>}
      {groups.map((status) => {
        const group = list.filter((i) => i.status === status);
        if (group.length === 0) return null;
        return (
          <section class="card" key={status} data-testid={`queue-${status}`}>
            <h2>
              {t(title[status])} <span class="count">{group.length}</span>
            </h2>
            <ul class="list">
              {group.map((item) => (
                <li key={item.id} class={`queue-item ${status}`} data-testid="queue-item">
                  <strong>{item.label}</strong>
                  <span>
                    {formatDateTime(item.visit.visited_at)} · {t(`purpose.${item.visit.purpose}`)} · {t(`outcome.${item.visit.outcome}`)}
                  </span>
                  {item.errors && item.errors.length > 0 && (
                    <ul class="field-errors">
                      {item.errors.map((e) => (
                        <li key={e.field}>{t("field.error", { field: fieldLabel(e.field), message: e.message })}</li>
                      ))}
                    </ul>
                  )}
                  {status === "invalid" && (
                    <div class="actions">
                      <a class="button primary" href={href(`/visit?fix=${item.id}`)}>
                        {t("queue.fix")}
                      </a>
                      <button type="button" onClick={() => void discard(item.id)}>
                        {t("queue.remove")}
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </main>
  );
}
