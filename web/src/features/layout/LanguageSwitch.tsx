import { Select } from "antd";
import { GlobalOutlined } from "@ant-design/icons";
import { LOCALES, useI18n, type Locale } from "../../i18n";

export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <Select<Locale>
      aria-label={t("lang.label")}
      data-testid="lang-switch"
      value={locale}
      onChange={setLocale}
      variant="borderless"
      prefix={<GlobalOutlined />}
      popupMatchSelectWidth={false}
      style={{ width: compact ? 64 : 128 }}
      labelRender={(p) => (compact ? (p.value === "en" ? "EN" : "中") : p.label)}
      options={LOCALES}
    />
  );
}
