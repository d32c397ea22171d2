import { describe, expect, it } from "vitest";
import zhCN, { type MessageKey } from "../../i18n/locales/zh-CN";
import enUS from "../../i18n/locales/en-US";
import { format } from "../../i18n/format";
import { displayName, kinKey } from "./parents";

const tr = (messages: Record<MessageKey, string>) => (key: MessageKey, params?: Record<string, string | number>) =>
  format(messages[key], params);

describe("a guardian shown as their child's parent", () => {
  const mum = { name: "李娟", parent_of: { student_id: 7, student_name: "王军杰", relation: "母亲" } };

  it("reads 王军杰妈妈 in Chinese and Wang Junjie's mother in English", () => {
    expect(displayName(mum, tr(zhCN))).toBe("王军杰妈妈");
    expect(displayName({ ...mum, parent_of: { ...mum.parent_of, student_name: "Wang Junjie" } }, tr(enUS))).toBe(
      "Wang Junjie's mother",
    );
  });

  it("knows the relations of both vocabularies, and says 家长 for any other", () => {
    expect(kinKey("父亲")).toBe("kin.father");
    expect(kinKey("Father")).toBe("kin.father");
    expect(kinKey("外婆")).toBe("kin.maternalGrandmother");
    expect(kinKey("其他")).toBe("kin.parent");
    expect(kinKey(null)).toBe("kin.parent");
    expect(displayName({ ...mum, parent_of: { ...mum.parent_of, relation: "监护人" } }, tr(zhCN))).toBe("王军杰家长");
  });

  it("shows anyone else by name", () => {
    expect(displayName({ name: "王老师" }, tr(zhCN))).toBe("王老师");
    expect(displayName({ name: "王老师", parent_of: null }, tr(enUS))).toBe("王老师");
  });
});
