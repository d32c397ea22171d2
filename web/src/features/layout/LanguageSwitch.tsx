import { Button, Dropdown } from "antd";
import { GlobalOutlined } from "@ant-design/icons";
import { LOCALES, useI18n } from "../../i18n";

/** zh-CN / English; also sets the bw_lang cookie so server messages follow. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  const current = LOCALES.find((l) => l.value === locale)!;
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({ key: l.value, label: <span lang={l.value}>{l.label}</span> })),
        onClick: ({ key }) => setLocale(key as typeof locale),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} aria-label={t("lang.label")} data-testid="lang-switch" style={{ padding: "0 6px" }}>
        {compact ? (locale === "en" ? "EN" : "中") : current.label}
      </Button>
    </Dropdown>
  );
}
