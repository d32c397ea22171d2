import { describe, expect, it } from "vitest";
import { directTarget } from "./FormCard";
import { derivedTemplates } from "./HandDown";
import type { EntryOut, TemplateOut } from "./api";

const entry = (over: Partial<EntryOut>): EntryOut => ({ campaign_id: 7, name: "每日健康打卡", unit_id: 3, closed: false, subjects: [], stats: false, ...over });

describe("a form's card in the class group", () => {
  it("opens the one child's form, the class's figures for a teacher, a picker otherwise", () => {
    expect(directTarget(entry({ subjects: [{ id: 5, name: "王小明", submitted: false }] }))).toBe("/forms/fill/7/5");
    expect(directTarget(entry({ stats: true }))).toBe("/forms/campaigns/7?unit=3");
    const two = [
      { id: 5, name: "王小明", submitted: false },
      { id: 6, name: "王小红", submitted: true },
    ];
    expect(directTarget(entry({ subjects: two }))).toBeNull();
    expect(directTarget(entry({ subjects: two.slice(0, 1), stats: true }))).toBeNull();
  });
});

describe("the templates a school's copy may switch to", () => {
  it("are the bureau's and those made from it, at any depth", () => {
    const tpl = (id: number, base_id: number | null) => ({ id, base_id }) as TemplateOut;
    const all = [tpl(1, null), tpl(2, 1), tpl(3, 2), tpl(4, null), tpl(5, 4)];
    expect(derivedTemplates(all, 1).map((x) => x.id)).toEqual([1, 2, 3]);
  });
});
