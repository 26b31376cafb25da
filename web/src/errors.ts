/** Turns any failure into a message in the person's language, with what to do next. */
import { ApiFailure } from "./api/client";
import { t, type MessageKey } from "./i18n";
import type { ProblemField } from "./api/types";

export interface Shown {
  message: string;
  fields: ProblemField[];
}

export function explain(error: unknown): Shown {
  if (error instanceof ApiFailure) {
    if (error.kind === "network") return { message: t("error.network"), fields: [] };
    const key = `error.${error.code}` as MessageKey;
    const known = error.problem && t(key) !== key;
    const message = known
      ? t(key, { seconds: error.retryAfter ?? 60 })
      : t("error.unknown", { status: String(error.status) });
    return { message, fields: error.problem?.errors ?? [] };
  }
  return { message: t("error.unknown", { status: String(error) }), fields: [] };
}
