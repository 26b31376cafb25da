/**
 * The API's resource types, named once. The generated `schema.d.ts` may rename schemas when
 * the spec changes (e.g. `LeadInput` → `LeadCreate`); only this file then changes.
 */
import type { components } from "./schema";

type S = components["schemas"];

export type Lead = S["Lead"];
export type NewLead = S["LeadCreate"];
export type SellerAccount = S["SellerAccount"];
export type Visit = S["Visit"];
export type NewVisit = S["VisitInput"];
export type BatchItemResult = S["ItemResult"];
export type MyDay = S["MyDay"];
export type Plan = S["Plan"];
export type PlanInput = S["PlanInput"];
export type User = S["User"];
export type Team = S["Team"];
export type Meeting = S["Meeting"];
export type MeetingSummary = S["MeetingSummary"];
export type Attendance = S["Attendance"];
export type AttendanceStatus = S["AttendanceStatus"];
export type ProgressReport = S["ProgressReport"];
export type Progress = S["Progress"];
export type MetricsProgress = S["MetricsProgress"];
export type Metric = S["Metric"];
export type TargetInput = S["TargetInput"];
export type Leaderboard = S["Leaderboard"];
export type Problem = S["Problem"];
export type ProblemField = S["ProblemField"];
export type DuplicateMatch = S["DuplicateMatch"];
export type AuditEvent = S["AuditEvent"];
export type Stage = S["Stage"];
export type Purpose = S["Purpose"];
export type Outcome = S["Outcome"];
export type Role = S["Role"];
