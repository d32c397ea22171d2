import { describe, expect, it } from "vitest";
import zhCN from "./locales/zh-CN";
import enUS from "./locales/en-US";
import { format } from "./format";
import { browserLocale } from "./index";

describe("i18n", () => {
  it("has the same keys in every locale", () => {
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it("uses the same {placeholders} in every locale", () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(names(enUS[key]), key).toEqual(names(zhCN[key]));
    }
  });

  it("has no empty message and no Chinese left in English", () => {
    for (const [key, value] of Object.entries(enUS)) {
      expect(value.trim(), key).not.toBe("");
      expect(/[\u4e00-\u9fff]/.test(value), key).toBe(false);
    }
  });

  it("formats parameters", () => {
    expect(format("Remove {name} from {unit}?", { name: "张伟", unit: "1班" })).toBe("Remove 张伟 from 1班?");
    expect(format("{n} shown", { n: 3 })).toBe("3 shown");
    expect(format("keep {missing}", {})).toBe("keep {missing}");
  });

  it("follows the browser's first language it knows when nothing was chosen", () => {
    expect(browserLocale(["en-US", "zh-CN"])).toBe("en");
    expect(browserLocale(["zh-TW", "en"])).toBe("zh-CN");
    expect(browserLocale(["fr-FR", "en-GB"])).toBe("en");
    expect(browserLocale(["fr-FR"])).toBe("zh-CN");
    expect(browserLocale([])).toBe("zh-CN");
  });
});
