import { Alert, Col, Row, Select, Space, Tag, Typography } from "antd";
import type { ImportColumns } from "../../api/types";
import { useT, type MessageKey } from "../../i18n";
import { bdi, useTn } from "../../i18n/isolate";
import { shownColumns, type Choice, type Problems } from "./mapping";

const IGNORE = "__ignore";

/** The column step: each column of the file with the field it will be imported as. */
export function ColumnMapping({
  proposal,
  choice,
  problems,
  onChange,
}: {
  proposal: ImportColumns;
  choice: Choice;
  problems: Problems;
  onChange: (index: number, field: string | null) => void;
}) {
  const t = useT();
  const tn = useTn();
  const label = (f: string) => t(`import.field.${f}` as MessageKey);
  const options = [
    ...proposal.fields.map((f) => ({ value: f, label: label(f) })),
    { value: IGNORE, label: t("import.mapping.ignore") },
  ];
  const or = t("import.mapping.or");
  return (
    <Space orientation="vertical" size={8} style={{ width: "100%" }} data-testid="import-mapping">
      <Typography.Text type="secondary">{t("import.mapping.intro")}</Typography.Text>
      {proposal.remembered && (
        <Alert type="info" showIcon title={t("import.mapping.remembered")} data-testid="import-mapping-remembered" />
      )}
      {shownColumns(proposal.columns).map((c) => {
        const field = choice[c.index] ?? null;
        const source = field !== c.field ? "manual" : c.source ?? (field == null ? "none" : "manual");
        return (
          <Row key={c.index} gutter={[8, 4]} align="middle" data-testid="import-map-row">
            <Col xs={24} sm={10}>
              <Space size={4} wrap>
                <Typography.Text strong>{bdi(c.heading)}</Typography.Text>
                <Tag color={source === "none" ? "orange" : source === "manual" ? "blue" : undefined}>
                  {t(`import.mapping.source.${source}` as MessageKey)}
                </Tag>
              </Space>
            </Col>
            <Col xs={24} sm={14} data-testid={`import-map-${c.index}`}>
              <Select
                style={{ width: "100%" }}
                value={field ?? IGNORE}
                options={options}
                aria-label={c.heading}
                onChange={(v: string) => onChange(c.index, v === IGNORE ? null : v)}
              />
            </Col>
          </Row>
        );
      })}
      {problems.missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="import-mapping-missing"
          title={t("import.mapping.missing", { fields: problems.missing.map((g) => g.map(label).join(or)).join(t("import.mapping.sep")) })}
        />
      )}
      {problems.conflicts.map((c) => (
        <Alert
          key={`${c.field}-${c.second}`}
          type="error"
          showIcon
          data-testid="import-mapping-conflict"
          title={tn("import.mapping.conflict", { first: c.first, second: c.second, field: label(c.field) })}
        />
      ))}
      <Typography.Text type="secondary">{t("import.mapping.saved")}</Typography.Text>
    </Space>
  );
}
