/**
 * Which of a flow's steps apply to the answers (approvals/flow.py `holds` / `applies`, the same
 * rule): a step applies when every one of its `when` conditions holds. Numbers compare as
 * numbers (a text that is one counts, a missing or non-numeric answer makes a comparison false);
 * `eq`/`ne` compare numbers as numbers and anything else as text; `in` holds when any answer
 * value is one of the wanted ones; a missing answer makes every condition false but `ne`.
 * The new-request page shows these steps, updated as the answers change.
 */

export type FlowValue = string | number | boolean | (string | number)[];
export interface FlowCondition {
  field: string;
  op: "gt" | "ge" | "lt" | "le" | "eq" | "ne" | "in";
  value: FlowValue;
}

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The answer as a number, as Python's Decimal(str(v)) reads it; null for anything else. */
export function asNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && NUMBER.test(v)) return Number(v);
  return null;
}

/** A value as Python's str() writes it (what the server compares text with). */
function pyText(v: unknown): string {
  if (v == null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

export function holds(cond: FlowCondition, answers: Record<string, unknown>): boolean {
  const got = answers[cond.field];
  if (cond.op === "in") {
    const wanted = Array.isArray(cond.value) ? cond.value : [cond.value];
    const values = Array.isArray(got) ? got : [got];
    return values.some((v) => wanted.some((w) => pyText(v) === pyText(w)));
  }
  const a = asNumber(got);
  const b = asNumber(cond.value);
  if (cond.op === "eq" || cond.op === "ne") {
    const same = a != null && b != null ? a === b : pyText(got) === pyText(cond.value);
    return cond.op === "eq" ? same : !same;
  }
  if (a == null || b == null) return false;
  return { gt: a > b, ge: a >= b, lt: a < b, le: a <= b }[cond.op];
}

/** The steps that apply to these answers, in order. */
export function applying<S extends { when?: FlowCondition[] | null }>(steps: S[], answers: Record<string, unknown>): S[] {
  return steps.filter((s) => (s.when ?? []).every((c) => holds(c, answers)));
}
