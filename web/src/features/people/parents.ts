/**
 * A guardian shown as their child's parent: 王军杰妈妈 / "Wang Junjie's mother". The server says
 * whose parent a person is shown as (`parent_of`: the child and the relation as stored, in
 * either language's vocabulary, see org/importer/relations.py); the words are the reader's.
 */
import type { TFunction } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";

export interface ParentOf {
  student_id: number;
  student_name: string;
  relation: string | null;
}

export interface NamedPerson {
  name: string;
  parent_of?: ParentOf | null;
}

const KIN: Record<string, string> = {
  父亲: "father",
  father: "father",
  母亲: "mother",
  mother: "mother",
  爷爷: "paternalGrandfather",
  grandfather: "paternalGrandfather",
  奶奶: "paternalGrandmother",
  grandmother: "paternalGrandmother",
  外公: "maternalGrandfather",
  外婆: "maternalGrandmother",
  继父: "stepfather",
  stepfather: "stepfather",
  继母: "stepmother",
  stepmother: "stepmother",
  哥哥: "brother",
  brother: "brother",
  姐姐: "sister",
  sister: "sister",
  叔叔: "uncle",
  uncle: "uncle",
  伯伯: "elderUncle",
  姑姑: "paternalAunt",
  aunt: "paternalAunt",
  舅舅: "maternalUncle",
  姨妈: "maternalAunt",
};

/** The kin word's message key for a stored relation; unknown or none: "parent" (家长). */
export function kinKey(relation: string | null | undefined): MessageKey {
  return `kin.${KIN[(relation ?? "").trim().toLowerCase()] ?? KIN[(relation ?? "").trim()] ?? "parent"}` as MessageKey;
}

/** How a person is shown: a guardian as their child's parent, anyone else by name. */
export function displayName(p: NamedPerson, t: TFunction): string {
  if (!p.parent_of) return p.name;
  return t("people.parentOf", { child: p.parent_of.student_name, kin: t(kinKey(p.parent_of.relation)) });
}
