/**
 * A form's questions as the server stores them (src/bellwork/forms/fields.py and rules.py: the
 * template's `definition` is plain JSON in the API schema, so its shape is written here once),
 * and the rules the client applies itself: which questions show for the answers so far
 * (`visible`, the same walk as the server's), labels in the reader's language, the exclusive
 * "none" option of a multiple choice.
 */
import type { Locale } from "../../i18n";

export type Label = string | Partial<Record<Locale, string>>;

export interface Option {
  value: string;
  label: Label;
}

export interface Condition {
  field: string;
  any_of: (string | number | boolean)[];
}

interface Base {
  key: string;
  label: Label;
  help?: Label;
  required?: boolean;
  show_if?: Condition;
}

export type FormField =
  | (Base & { kind: "section" })
  | (Base & { kind: "text"; max_length?: number })
  | (Base & { kind: "textarea"; max_length?: number })
  | (Base & { kind: "number"; unit?: string; min?: number; max?: number; decimals?: number })
  | (Base & { kind: "single"; options: Option[] })
  | (Base & { kind: "multiple"; options: Option[]; exclusive?: string })
  | (Base & { kind: "date" })
  | (Base & { kind: "time" })
  | (Base & { kind: "temperature" })
  | (Base & { kind: "phone" })
  | (Base & { kind: "id_number" })
  | (Base & { kind: "location" })
  | (Base & { kind: "file"; max_files?: number; images_only?: boolean })
  | (Base & { kind: "rating"; max?: number });

export type Kind = FormField["kind"];
export type FieldOf<K extends Kind> = Extract<FormField, { kind: K }>;

export const KINDS: Kind[] = [
  "section",
  "text",
  "textarea",
  "number",
  "single",
  "multiple",
  "date",
  "time",
  "temperature",
  "phone",
  "id_number",
  "location",
  "file",
  "rating",
];
export const CHOICE_KINDS: Kind[] = ["single", "multiple"];
export const NUMERIC_KINDS: Kind[] = ["number", "temperature", "rating"];

export type RuleOp = "gte" | "gt" | "lte" | "lt" | "in" | "any_except";
export const NUMERIC_OPS: RuleOp[] = ["gte", "gt", "lte", "lt"];
export const CHOICE_OPS: RuleOp[] = ["in", "any_except"];

export interface Rule {
  field: string;
  op: RuleOp;
  value: number | string[];
  label: Label;
}

export interface Definition {
  fields: FormField[];
  rules?: Rule[];
}

export type Answers = Record<string, unknown>;

export interface Location {
  lat: number;
  lng: number;
  accuracy?: number;
  address?: string;
}

/** A label in `locale`: its own text, or the translation for the locale, else any. */
export function labelText(label: Label | undefined | null, locale: Locale): string {
  if (label == null) return "";
  if (typeof label === "string") return label;
  return label[locale] || label.en || Object.values(label).find(Boolean) || "";
}

export function isChoice(f: FormField): f is FieldOf<"single"> | FieldOf<"multiple"> {
  return f.kind === "single" || f.kind === "multiple";
}

/** The option's label of a choice question, or the value itself. */
export function optionText(f: FormField | undefined, value: string, locale: Locale): string {
  if (!f || !isChoice(f)) return value;
  const o = f.options.find((x) => x.value === value);
  return o ? labelText(o.label, locale) : value;
}

function blank(v: unknown): boolean {
  return v == null || v === "" || (Array.isArray(v) && v.length === 0);
}

/**
 * The questions that show for these answers (fields.py `visible`): a question whose condition's
 * question is hidden, or whose answer is not one of the condition's values, is hidden too.
 */
export function visible(fields: FormField[], answers: Answers): FormField[] {
  const shown = new Map<string, FormField>();
  for (const f of fields) {
    const cond = f.show_if;
    if (cond) {
      if (!shown.has(cond.field)) continue;
      const answer = answers[cond.field];
      const picked = (Array.isArray(answer) ? answer : [answer]).filter((v) => v != null).map(String);
      const wanted = new Set(cond.any_of.map(String));
      if (!picked.some((v) => wanted.has(v))) continue;
    }
    shown.set(f.key, f);
  }
  return [...shown.values()];
}

/**
 * A multiple choice's new answer after `value` was ticked or unticked: ticking the exclusive
 * option ("none of these") clears the others, ticking another clears it.
 */
export function toggleChoice(f: FieldOf<"multiple">, current: string[], value: string, on: boolean): string[] {
  if (!on) return current.filter((v) => v !== value);
  if (f.exclusive && value === f.exclusive) return [value];
  const kept = current.filter((v) => v !== value && v !== f.exclusive);
  // In the form's order, as the server stores it.
  const set = new Set([...kept, value]);
  return f.options.map((o) => o.value).filter((v) => set.has(v));
}

/**
 * A photo or file of a file question as the fill page holds it: uploading (with its progress
 * and, for an image, a local preview), uploaded (the server's id, url and thumbnail), or
 * failed (why; the picked file kept for a retry). Only uploaded ones are sent, as ids.
 */
export interface FileItem {
  uid: string;
  name: string;
  state: "uploading" | "done" | "failed";
  progress: number;
  isImage: boolean;
  id?: number;
  url?: string;
  thumb?: string | null;
  preview?: string;
  error?: string;
  /** A failure another try may mend (the network, the server), not a refusal. */
  retryable?: boolean;
  file?: File;
}

export function fileItems(v: unknown): FileItem[] {
  return Array.isArray(v) ? v.filter((i): i is FileItem => !!i && typeof i === "object" && "uid" in i) : [];
}

/** A stored file (a submission's `files`) as the fill page holds it. */
export function storedFile(f: { id: number; name: string; url: string; has_thumbnail: boolean; content_type: string }): FileItem {
  return {
    uid: `stored-${f.id}`,
    name: f.name,
    state: "done",
    progress: 1,
    isImage: f.content_type.startsWith("image/"),
    id: f.id,
    url: f.url,
    thumb: f.has_thumbnail ? `${f.url}/thumbnail` : null,
  };
}

/** Answers as the server stored them, with each file question's ids turned into its files. */
export function answersFromServer(fields: FormField[], answers: Answers, files: { id: number; name: string; url: string; has_thumbnail: boolean; content_type: string; field: string }[]): Answers {
  const out: Answers = { ...answers };
  for (const f of fields) {
    if (f.kind !== "file") continue;
    const ids = Array.isArray(answers[f.key]) ? (answers[f.key] as unknown[]) : [];
    const items = ids.map((id) => files.find((x) => x.id === id)).filter((x) => x != null).map(storedFile);
    if (items.length) out[f.key] = items;
    else delete out[f.key];
  }
  return out;
}

/** Whether a photo or file of a question that shows is still uploading / failed. */
export function uploadsOf(fields: FormField[], answers: Answers): { uploading: number; failed: number } {
  let uploading = 0;
  let failed = 0;
  for (const f of visible(fields, answers)) {
    if (f.kind !== "file") continue;
    for (const i of fileItems(answers[f.key])) {
      if (i.state === "uploading") uploading += 1;
      if (i.state === "failed") failed += 1;
    }
  }
  return { uploading, failed };
}

/** What is sent: the answers of the questions that show, blanks left out; a file question's
 * uploaded files as their ids. */
export function answersToSend(fields: FormField[], answers: Answers): Answers {
  const out: Answers = {};
  for (const f of visible(fields, answers)) {
    if (f.kind === "section") continue;
    if (f.kind === "file") {
      const ids = fileItems(answers[f.key]).flatMap((i) => (i.state === "done" && i.id != null ? [i.id] : []));
      if (ids.length) out[f.key] = ids;
      continue;
    }
    const v = answers[f.key];
    if (blank(v)) continue;
    out[f.key] = typeof v === "string" ? v.trim() : v;
  }
  return out;
}

/** An earlier day's answers, kept only for questions this form still has. */
export function carryOver(fields: FormField[], previous: Answers): Answers {
  const keys = new Set(fields.filter((f) => f.kind !== "section" && f.kind !== "file").map((f) => f.key));
  return Object.fromEntries(Object.entries(previous).filter(([k]) => keys.has(k)));
}

/** The server's field errors by question key (`answers.<key>`); others under `_form`. */
export function fieldErrors(errors: { field?: string | null; message?: string }[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors ?? []) {
    const m = e.field?.match(/^answers\.([a-z][a-z0-9_]*)$/);
    const key = m ? m[1] : "_form";
    (out[key] ??= []).push(e.message ?? "");
  }
  return out;
}

/** A key not used yet: `q1`, `q2` … */
export function freshKey(fields: FormField[], stem = "q"): string {
  const used = new Set(fields.map((f) => f.key));
  for (let i = 1; ; i++) if (!used.has(`${stem}${i}`)) return `${stem}${i}`;
}

/** A new question of `kind` with what the server requires of it. */
export function newField(kind: Kind, fields: FormField[], label: string, optionLabel: (n: number) => string): FormField {
  const key = freshKey(fields);
  const base = { key, label };
  switch (kind) {
    case "single":
    case "multiple":
      return { ...base, kind, options: [1, 2].map((n) => ({ value: `o${n}`, label: optionLabel(n) })) };
    case "rating":
      return { ...base, kind, max: 5 };
    case "file":
      return { ...base, kind, max_files: 3 };
    default:
      return { ...base, kind } as FormField;
  }
}
