/** Names of the fields the API may name in an error, as the person reads them. */
import { t, type MessageKey } from "./index";

const LABELS: Record<string, MessageKey> = {
  purpose: "visit.purpose",
  outcome: "visit.outcome",
  notes: "visit.notes",
  next_follow_up_at: "visit.nextFollowUp",
  duration_minutes: "visit.duration",
  company_name: "stall.company",
  contact_name: "stall.contact",
  phone: "stall.phone",
  wechat_id: "stall.wechat",
  business_license_no: "stall.licence",
  market: "stall.market",
  district: "stall.district",
  stall_no: "stall.stallNo",
  lost_reason: "lead.lostReason",
  email: "signin.email",
  password: "signin.password",
};

/** `new_lead.phone` → "电话" (the last segment names the field). */
export function fieldLabel(field: string): string {
  if (field === "visit" || field === "body") return t("visit.title"); // the whole record
  const key = LABELS[field.split(".").pop() ?? field];
  return key ? t(key) : field;
}
