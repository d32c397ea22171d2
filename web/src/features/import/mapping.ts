/**
 * The column step of an import: which field each column of the file is taken as. The server
 * proposes (remembered for the unit, or a known heading); the person changes what is wrong; the
 * dry run waits until every required field has a column and no field has two.
 */
import type { ColumnChoice, ImportColumns } from "../../api/types";

export type Kind = "roster" | "staff";
/** Column index → field, or null: not imported. */
export type Choice = Record<number, string | null>;

export interface Conflict {
  field: string;
  first: string;
  second: string;
}

export interface Problems {
  /** Fields still without a column; each group is satisfied by any one of its fields. */
  missing: string[][];
  conflicts: Conflict[];
}

/** Columns the person sees: those with a heading (a column without one is never imported). */
export function shownColumns(columns: ColumnChoice[]): ColumnChoice[] {
  return columns.filter((c) => c.heading.trim() !== "");
}

export function initialChoice(p: ImportColumns): Choice {
  return Object.fromEntries(shownColumns(p.columns).map((c) => [c.index, c.field]));
}

/** Fields that need a column, given what is chosen: the kind's required ones; on a roster a
 * guardian's name and phone go together; on a staff list a phone or an email. */
function requiredGroups(kind: Kind, required: string[], used: Set<string>): string[][] {
  const groups = required.map((f) => [f]);
  if (kind === "roster") {
    if (used.has("guardian_name")) groups.push(["guardian_phone"]);
    if (used.has("guardian_phone")) groups.push(["guardian_name"]);
  } else {
    groups.push(["phone", "email"]);
  }
  return groups;
}

export function mappingProblems(kind: Kind, p: ImportColumns, choice: Choice): Problems {
  const first = new Map<string, string>();
  const conflicts: Conflict[] = [];
  for (const c of shownColumns(p.columns)) {
    const field = choice[c.index] ?? null;
    if (field == null) continue;
    const seen = first.get(field);
    if (seen === undefined) first.set(field, c.heading);
    else conflicts.push({ field, first: seen, second: c.heading });
  }
  const used = new Set(first.keys());
  const missing = requiredGroups(kind, p.required, used).filter((g) => !g.some((f) => used.has(f)));
  return { missing, conflicts };
}

/** The `columns` sent with the import: heading → field or null, for every column shown. */
export function columnsPayload(p: ImportColumns, choice: Choice): Record<string, string | null> {
  return Object.fromEntries(shownColumns(p.columns).map((c) => [c.heading, choice[c.index] ?? null]));
}
