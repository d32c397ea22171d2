import { useEffect, useMemo, useState } from "react";
import { Alert, Button, Card, Checkbox, Col, Form, Radio, Result, Row, Space, Statistic, Table, Tag, Typography, Upload } from "antd";
import { CheckOutlined, DownloadOutlined, ExperimentOutlined, InboxOutlined } from "@ant-design/icons";
import { useImport, useImportColumns, useUnit } from "../../api/hooks";
import { ApiError } from "../../api/http";
import type { ImportChange, ImportColumns, ImportNote, ImportResult, ImportSummary, UnitKind } from "../../api/types";
import { useT, type MessageKey } from "../../i18n";
import { errorText } from "../../app/errors";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useSelectedUnit } from "../layout/selection";
import { ColumnMapping } from "./ColumnMapping";
import { columnsPayload, initialChoice, mappingProblems, type Choice, type Kind } from "./mapping";

const SUMMARY_KEYS: (keyof ImportSummary)[] = [
  "rows",
  "units_created",
  "people_created",
  "people_updated",
  "people_unchanged",
  "memberships_added",
  "memberships_removed",
  "guardian_links_added",
  "guardian_links_updated",
];
const ACTION_COLORS: Record<ImportChange["action"], string> = { create: "green", update: "blue", add: "cyan", remove: "red" };

function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" → ") : typeof v === "object" && v ? JSON.stringify(v) : String(v)}`)
    .join("; ");
}

function SummaryView({ s }: { s: ImportSummary }) {
  const t = useT();
  return (
    <Row gutter={[12, 12]} data-testid="import-summary">
      {SUMMARY_KEYS.map((k) => (
        <Col key={k} xs={12} sm={8} md={6} lg={4}>
          <Card size="small">
            <Statistic title={t(k === "rows" ? "import.rows" : (`import.${k}` as MessageKey))} value={s[k]} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/** The dry run's warnings and notes (messages come translated from the server). */
function NotesView({ notes }: { notes: ImportNote[] }) {
  const t = useT();
  if (notes.length === 0) return null;
  const warn = notes.some((n) => n.level === "warning");
  return (
    <Alert
      type={warn ? "warning" : "info"}
      showIcon
      data-testid="import-notes"
      title={t("import.notes")}
      description={
        <Space orientation="vertical" size={4} style={{ width: "100%" }}>
          {warn && <Typography.Text type="secondary">{t("import.notesHint")}</Typography.Text>}
          <Table<ImportNote>
            size="small"
            rowKey={(_, i) => String(i)}
            dataSource={notes}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 560 }}
            columns={[
              { title: t("import.row"), dataIndex: "row", width: 64, render: (v: number | null) => v ?? "—" },
              {
                title: "",
                dataIndex: "level",
                width: 80,
                render: (l: ImportNote["level"]) => <Tag color={l === "warning" ? "orange" : "blue"}>{t(`import.level.${l}`)}</Tag>,
              },
              { title: t("import.column"), dataIndex: "column", width: 120, render: (v: string | null) => v ?? "—" },
              { title: t("import.noteText"), dataIndex: "message" },
            ]}
          />
        </Space>
      }
    />
  );
}

function ChangesTable({ r }: { r: ImportResult }) {
  const t = useT();
  if (r.changes_total === 0) return <Alert type="info" showIcon title={t("import.nothing")} />;
  return (
    <>
      {r.changes_total > r.changes.length && (
        <Typography.Text type="secondary">{t("import.shownOf", { shown: r.changes.length, total: r.changes_total })}</Typography.Text>
      )}
      <Table<ImportChange>
        data-testid="import-changes"
        size="small"
        rowKey={(_, i) => String(i)}
        dataSource={r.changes}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 640 }}
        columns={[
          { title: t("import.row"), dataIndex: "row", width: 64, render: (v: number | null) => v ?? "—" },
          { title: t("import.action"), dataIndex: "action", width: 90, render: (a: ImportChange["action"]) => <Tag color={ACTION_COLORS[a]}>{t(`import.action.${a}`)}</Tag> },
          { title: t("import.entity"), dataIndex: "entity", width: 110, render: (e: ImportChange["entity"]) => t(`import.entity.${e}`) },
          { title: t("import.name"), dataIndex: "name" },
          { title: t("import.detail"), dataIndex: "detail", render: (d: Record<string, unknown>) => <span style={{ color: "#666" }}>{detailText(d ?? {})}</span> },
        ]}
      />
    </>
  );
}

export default function ImportPage() {
  const t = useT();
  const [selected] = useSelectedUnit();
  const [kind, setKind] = useState<Kind>("roster");
  const [unitId, setUnitId] = useState<number | null>(selected);
  const chosen = useUnit(unitId);
  const unitKind: UnitKind | null = chosen.data?.id === unitId ? chosen.data.kind : null;
  const [createSchools, setCreateSchools] = useState(false);
  const [restoreZeros, setRestoreZeros] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const run = useImport();
  // The column step: what each column of the file is imported as (proposed by the server).
  const readColumns = useImportColumns();
  const [proposal, setProposal] = useState<ImportColumns | null>(null);
  const [choice, setChoice] = useState<Choice>({});
  const problems = useMemo(() => (proposal ? mappingProblems(kind, proposal, choice) : null), [kind, proposal, choice]);
  const mappingReady = problems != null && problems.missing.length === 0 && problems.conflicts.length === 0;
  const { mutate: proposeColumns, reset: resetColumns } = readColumns;
  useEffect(() => {
    setProposal(null);
    setChoice({});
    resetColumns();
    if (!file || unitId == null) return;
    proposeColumns(
      { file, kind, unitId },
      {
        onSuccess: (p) => {
          setProposal(p);
          setChoice(initialChoice(p));
        },
      },
    );
  }, [file, kind, unitId, proposeColumns, resetColumns]);

  const reset = () => {
    setPreview(null);
    setDone(null);
    run.reset();
  };
  const reveal = (testid: string) =>
    setTimeout(() => document.querySelector(`[data-testid="${testid}"]`)?.scrollIntoView({ behavior: "smooth", block: "start" }), 50);
  const start = (dryRun: boolean, restoreLeadingZeros = restoreZeros) => {
    if (!file || unitId == null || !proposal) return;
    const columns = columnsPayload(proposal, choice);
    run.mutate(
      { file, kind, unitId, dryRun, createSchools: unitKind === "bureau" && createSchools, restoreLeadingZeros, columns },
      {
        onSuccess: (r) => {
          if (r.applied) {
            setDone(r);
            setPreview(null);
            reveal("import-done");
          } else {
            setPreview(r);
            reveal("import-preview");
          }
        },
        onError: () => reveal("import-errors"),
      },
    );
  };
  const err = run.error ?? readColumns.error;
  const rowErrors = err instanceof ApiError && err.problem.errors?.some((e) => e.row != null) ? err.problem.errors : null;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="import-page">
      <Card title={t("import.title")}>
        <Form layout="vertical" style={{ maxWidth: 640 }}>
          <Form.Item label={t("import.kind")}>
            <Radio.Group
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as Kind);
                reset();
              }}
              options={[
                { value: "roster", label: t("import.roster") },
                { value: "staff", label: t("import.staff") },
              ]}
            />
          </Form.Item>
          <Form.Item label={t("import.unit")} extra={t("import.unitHint")} required>
            <UnitTreeSelect
              data-testid="import-unit"
              value={unitId}
              onChange={(id) => {
                setUnitId(id);
                reset();
              }}
              placeholder={t("import.pickUnit")}
              disabled={(u) => !u.can_manage}
            />
          </Form.Item>
          {unitKind === "bureau" && (
            <Form.Item extra={t("import.createSchoolsHint")}>
              <Checkbox
                checked={createSchools}
                onChange={(e) => {
                  setCreateSchools(e.target.checked);
                  reset();
                }}
                data-testid="import-create-schools"
              >
                {t("import.createSchools")}
              </Checkbox>
            </Form.Item>
          )}
          <Form.Item label={t("import.file")} required>
            <Space orientation="vertical" style={{ width: "100%" }}>
              <Button icon={<DownloadOutlined />} href={`/api/v1/imports/template?kind=${kind}`} download>
                {t("import.template")}
              </Button>
              <Upload.Dragger
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                multiple={false}
                maxCount={1}
                data-testid="import-file"
                fileList={file ? [{ uid: "1", name: file.name, status: "done" }] : []}
                beforeUpload={(f) => {
                  setFile(f);
                  setRestoreZeros(false);
                  reset();
                  return false;
                }}
                onRemove={() => {
                  setFile(null);
                  reset();
                }}
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">{t("import.drop")}</p>
                <p className="ant-upload-hint">{t("import.dropHint")}</p>
              </Upload.Dragger>
            </Space>
          </Form.Item>
          {file && unitId != null && (readColumns.isPending || proposal) && (
            <Form.Item label={t("import.mapping.title")}>
              {proposal && problems ? (
                <ColumnMapping
                  proposal={proposal}
                  choice={choice}
                  problems={problems}
                  onChange={(index, field) => {
                    setChoice((c) => ({ ...c, [index]: field }));
                    reset();
                  }}
                />
              ) : (
                <Typography.Text type="secondary">{t("import.mapping.loading")}</Typography.Text>
              )}
            </Form.Item>
          )}
          <Button
            type="primary"
            icon={<ExperimentOutlined />}
            disabled={!file || unitId == null || !mappingReady}
            loading={run.isPending && run.variables?.dryRun}
            onClick={() => start(true)}
            data-testid="import-dry-run"
          >
            {t("import.dryRun")}
          </Button>
        </Form>
      </Card>

      {err && (
        <Card data-testid="import-errors">
          <Alert
            type="error"
            showIcon
            title={errorText(err, t)}
            description={rowErrors ? t("import.errorsHint") : undefined}
            style={{ marginBottom: rowErrors ? 12 : 0 }}
          />
          {rowErrors && (
            <Table
              data-testid="import-error-table"
              size="small"
              rowKey={(_, i) => String(i)}
              dataSource={rowErrors}
              pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
              columns={[
                { title: t("import.row"), dataIndex: "row", width: 72 },
                { title: t("import.column"), dataIndex: "column", width: 160, render: (v: string | null) => v ?? "—" },
                { title: t("import.message"), dataIndex: "message" },
              ]}
            />
          )}
        </Card>
      )}

      {preview && (
        <Card title={t("import.summary")} data-testid="import-preview">
          <Space orientation="vertical" size={12} style={{ width: "100%" }}>
            <Alert type="info" showIcon title={t("import.dryRunNote")} />
            <NotesView notes={preview.notes} />
            {(restoreZeros || preview.notes.some((n) => n.code === "leading_zeros")) && (
              <Space orientation="vertical" size={0}>
                <Checkbox
                  checked={restoreZeros}
                  disabled={run.isPending}
                  onChange={(e) => {
                    setRestoreZeros(e.target.checked);
                    start(true, e.target.checked);
                  }}
                  data-testid="import-restore-zeros"
                >
                  {t("import.restoreZeros")}
                </Checkbox>
                <Typography.Text type="secondary">{t("import.restoreZerosHint")}</Typography.Text>
              </Space>
            )}
            <SummaryView s={preview.summary} />
            <ChangesTable r={preview} />
            <Space wrap>
              <Button
                type="primary"
                icon={<CheckOutlined />}
                loading={run.isPending}
                disabled={preview.changes_total === 0}
                onClick={() => start(false)}
                data-testid="import-confirm"
              >
                {t("import.confirm")}
              </Button>
              <Button
                onClick={() => {
                  setFile(null);
                  reset();
                }}
              >
                {t("import.again")}
              </Button>
            </Space>
          </Space>
        </Card>
      )}

      {done && (
        <Card data-testid="import-done">
          <Result status="success" title={t("import.resultTitle")} style={{ padding: "16px 0" }} />
          <NotesView notes={done.notes} />
          <SummaryView s={done.summary} />
          <div style={{ marginTop: 12 }}>
            <ChangesTable r={done} />
          </div>
        </Card>
      )}
    </Space>
  );
}
