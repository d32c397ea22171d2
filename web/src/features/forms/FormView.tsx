/**
 * A whole form as its filler sees it: the questions that show for the answers so far (a
 * conditional question appears and goes as they change), each with its label, a required mark,
 * its help text and the server's messages about it. Used by the fill page and the designer's
 * live preview.
 */
import { Typography } from "antd";
import { useI18n, useT } from "../../i18n";
import { FieldInput } from "./FieldInput";
import { labelText, visible, type Answers, type FormField } from "./model";

interface Props {
  fields: FormField[];
  answers: Answers;
  onAnswer: (key: string, value: unknown) => void;
  errors?: Record<string, string[]>;
  disabled?: boolean;
}

export function FormView({ fields, answers, onAnswer, errors = {}, disabled }: Props) {
  const { locale } = useI18n();
  const t = useT();
  return (
    <div className="bw-form-view">
      {visible(fields, answers).map((f) => {
        if (f.kind === "section")
          return (
            <div key={f.key} className="bw-form-section" id={`field-${f.key}`}>
              <Typography.Title level={5} style={{ margin: 0 }}>
                {labelText(f.label, locale)}
              </Typography.Title>
              {f.help && <Typography.Text type="secondary">{labelText(f.help, locale)}</Typography.Text>}
            </div>
          );
        const problems = errors[f.key] ?? [];
        return (
          <div
            key={f.key}
            id={`field-${f.key}`}
            className={`bw-form-field${problems.length ? " bw-form-field-error" : ""}`}
            data-testid={`field-${f.key}`}
          >
            <label className="bw-form-label" htmlFor={`answer-${f.key}`}>
              {f.required && (
                <span className="bw-form-required" aria-label={t("forms.fill.required")}>
                  *
                </span>
              )}
              {labelText(f.label, locale)}
            </label>
            {f.help && (
              <Typography.Text type="secondary" className="bw-form-help">
                {labelText(f.help, locale)}
              </Typography.Text>
            )}
            <FieldInput field={f} value={answers[f.key]} onChange={(v) => onAnswer(f.key, v)} disabled={disabled} />
            {problems.map((m, i) => (
              <div key={i} className="bw-form-error" role="alert" data-testid={`error-${f.key}`}>
                {m}
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
