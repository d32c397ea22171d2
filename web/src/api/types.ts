import type { components } from "./schema";

type S = components["schemas"];
export type Me = S["Me"];
export type UnitOut = S["UnitOut"];
export type UnitKind = S["UnitKind"];
export type Role = S["Role"];
export type PersonBrief = S["PersonBrief"];
export type PersonDetail = S["PersonDetail"];
export type PersonCreate = S["PersonCreate"];
export type PersonUpdate = S["PersonUpdate"];
export type MembershipOut = S["MembershipOut"];
export type LinkedPerson = S["LinkedPerson"];
export type ImportResult = S["ImportResult"];
export type ImportChange = S["Change"];
export type ImportSummary = S["Summary"];
export type ImportNote = S["Note"];
export type ImportColumns = S["ImportColumns"];
export type ColumnChoice = S["ColumnChoice"];
export type TokenOut = S["TokenOut"];
export type TokenCreated = S["TokenCreated"];
export type AuditOut = S["AuditOut"];

export const UNIT_KINDS: UnitKind[] = ["bureau", "school", "grade", "class", "company", "department", "team"];
export const ROLES: Role[] = ["head", "staff", "teacher", "student", "guardian", "member"];

/** An RFC 9457 problem answer from the server (title already translated by the server). */
export interface ProblemBody {
  title: string;
  status: number;
  code: string;
  errors?: { field?: string | null; message?: string; row?: number; column?: string | null }[];
}
