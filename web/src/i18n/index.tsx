/**
 * i18n: typed message keys (from zh-CN, the source language), `{name}` interpolation, and the
 * language switch, which also sets the `bw_lang` cookie so the server translates its problem titles.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import zhCN, { type MessageKey, type Messages } from "./locales/zh-CN";
import enUS from "./locales/en-US";
import { readCookie } from "../api/http";
import { format } from "./format";

export { format };

export type Locale = "zh-CN" | "en";
export const LOCALES: { value: Locale; label: string }[] = [
  { value: "zh-CN", label: "简体中文" },
  { value: "en", label: "English" },
];
const MESSAGES: Record<Locale, Messages> = { "zh-CN": zhCN, en: enUS };

export type TFunction = (key: MessageKey, params?: Record<string, string | number>) => string;


/** The language of the browser's first preference we have: English for `en*`, else Chinese. */
export function browserLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "zh-CN";
}

/** A choice made with the language switch (cookie) wins; otherwise the browser's language. */
export function initialLocale(): Locale {
  const c = readCookie("bw_lang");
  if (c === "en" || c === "zh-CN") return c;
  const langs = typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return browserLocale(langs.filter(Boolean));
}

function writeCookie(locale: Locale) {
  document.cookie = `bw_lang=${locale}; path=/; max-age=${365 * 86400}; samesite=lax`;
  document.documentElement.lang = locale === "en" ? "en" : "zh-CN";
}

interface I18n {
  locale: Locale;
  t: TFunction;
  setLocale: (l: Locale) => void;
}
const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children, onChange }: { children: ReactNode; onChange?: (l: Locale) => void }) {
  const [locale, setState] = useState<Locale>(() => {
    const l = initialLocale();
    writeCookie(l);
    return l;
  });
  const setLocale = useCallback(
    (l: Locale) => {
      writeCookie(l);
      setState(l);
      onChange?.(l);
    },
    [onChange],
  );
  const value = useMemo<I18n>(() => {
    const m = MESSAGES[locale];
    return { locale, setLocale, t: (key, params) => format(m[key] ?? key, params) };
  }, [locale, setLocale]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}

export function useT(): TFunction {
  return useI18n().t;
}

export type { MessageKey };
