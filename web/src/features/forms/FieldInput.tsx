/**
 * One question of a form, as the filler answers it (the fill page and the designer's preview).
 * Touch first: choices are whole-row targets, numbers and temperatures open the numeric keypad,
 * dates and times use the phone's own pickers. The value is kept as typed (a string for
 * numbers); the server checks and cleans every answer (fields.py) and names what is wrong.
 * Photos and files: FileField.tsx.
 */
import { useState } from "react";
import { Button, Input, Rate, Space, Typography } from "antd";
import { AimOutlined, CheckOutlined } from "@ant-design/icons";
import { useI18n, useT } from "../../i18n";
import { FileField } from "./FileField";
import { labelText, toggleChoice, type FieldOf, type FormField, type Location } from "./model";

interface Props<F extends FormField = FormField> {
  field: F;
  value: unknown;
  onChange: (v: unknown) => void;
  disabled?: boolean;
}

function asText(v: unknown): string {
  return v == null ? "" : typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

/** A decimal number as typed: full-width digits and a comma become ASCII; one point at most. */
export function cleanDecimal(raw: string, decimals: number | null): string {
  let s = raw.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[，,。．]/g, ".");
  s = s.replace(/[^0-9.-]/g, "");
  const [whole, ...rest] = s.split(".");
  if (rest.length === 0 || decimals === 0) return decimals === 0 ? whole : s;
  const frac = rest.join("");
  return `${whole}.${decimals == null ? frac : frac.slice(0, decimals)}`;
}

function Choice({ field, value, onChange, disabled }: Props<FieldOf<"single">>) {
  const { locale } = useI18n();
  return (
    <div className="bw-form-choices" role="radiogroup">
      {field.options.map((o) => {
        const on = value === o.value;
        return (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={on}
            disabled={disabled}
            className={`bw-form-choice${on ? " bw-form-choice-on" : ""}`}
            data-testid={`choice-${field.key}-${o.value}`}
            onClick={() => onChange(on && !field.required ? null : o.value)}
          >
            <span className="bw-form-radio" aria-hidden />
            <span>{labelText(o.label, locale)}</span>
          </button>
        );
      })}
    </div>
  );
}

function Choices({ field, value, onChange, disabled }: Props<FieldOf<"multiple">>) {
  const { locale } = useI18n();
  const t = useT();
  const picked = Array.isArray(value) ? (value as string[]) : [];
  const excl = field.exclusive ? field.options.find((o) => o.value === field.exclusive) : undefined;
  return (
    <>
      <div className="bw-form-choices" role="group">
        {field.options.map((o) => {
          const on = picked.includes(o.value);
          return (
            <button
              key={o.value}
              type="button"
              role="checkbox"
              aria-checked={on}
              disabled={disabled}
              className={`bw-form-choice bw-form-choice-multi${on ? " bw-form-choice-on" : ""}`}
              data-testid={`choice-${field.key}-${o.value}`}
              onClick={() => onChange(toggleChoice(field, picked, o.value, !on))}
            >
              <span className="bw-form-check" aria-hidden>
                {on && <CheckOutlined />}
              </span>
              <span>{labelText(o.label, locale)}</span>
            </button>
          );
        })}
      </div>
      {excl && (
        <Typography.Text type="secondary" className="bw-form-note">
          {t("forms.field.exclusive", { option: labelText(excl.label, locale) })}
        </Typography.Text>
      )}
    </>
  );
}

function LocationInput({ field, value, onChange, disabled }: Props<FieldOf<"location">>) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const loc = value && typeof value === "object" ? (value as Location) : null;
  const locate = () => {
    if (!("geolocation" in navigator)) {
      setProblem(t("forms.field.noGeolocation"));
      return;
    }
    setBusy(true);
    setProblem(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setBusy(false);
        onChange({
          lat: Number(pos.coords.latitude.toFixed(6)),
          lng: Number(pos.coords.longitude.toFixed(6)),
          accuracy: Math.round(pos.coords.accuracy * 10) / 10,
          ...(loc?.address ? { address: loc.address } : {}),
        });
      },
      (err) => {
        setBusy(false);
        setProblem(t("forms.field.locationDenied", { reason: err.message || String(err.code) }));
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid={`location-${field.key}`}>
      <Button icon={<AimOutlined />} loading={busy} disabled={disabled} onClick={locate} size="large" block>
        {busy ? t("forms.field.locating") : loc ? t("forms.field.relocate") : t("forms.field.locate")}
      </Button>
      {loc && (
        <Typography.Text type="secondary" data-testid={`location-${field.key}-shown`}>
          {t("forms.field.located", { lat: loc.lat.toFixed(5), lng: loc.lng.toFixed(5), accuracy: Math.round(loc.accuracy ?? 0) })}
        </Typography.Text>
      )}
      {loc && (
        <Input
          value={loc.address ?? ""}
          placeholder={t("forms.field.address")}
          maxLength={200}
          disabled={disabled}
          onChange={(e) => onChange({ ...loc, address: e.target.value || undefined })}
        />
      )}
      {problem && <Typography.Text type="danger">{problem}</Typography.Text>}
    </Space>
  );
}

/** The answer control of one question (without its label: see `FormView`). */
export function FieldInput({ field, value, onChange, disabled }: Props) {
  const t = useT();
  const id = `answer-${field.key}`;
  switch (field.kind) {
    case "section":
      return null;
    case "text":
      return (
        <Input id={id} size="large" value={asText(value)} maxLength={field.max_length ?? 200} disabled={disabled} onChange={(e) => onChange(e.target.value)} />
      );
    case "textarea":
      return (
        <Input.TextArea
          id={id}
          value={asText(value)}
          maxLength={field.max_length ?? 2000}
          autoSize={{ minRows: 2, maxRows: 8 }}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "number": {
      const decimals = field.decimals ?? 0;
      const hint =
        field.min != null && field.max != null
          ? t("forms.field.range", { min: field.min, max: field.max })
          : field.min != null
            ? t("forms.field.min", { min: field.min })
            : field.max != null
              ? t("forms.field.max", { max: field.max })
              : undefined;
      return (
        <Input
          id={id}
          size="large"
          inputMode={decimals > 0 ? "decimal" : "numeric"}
          value={asText(value)}
          placeholder={hint}
          suffix={field.unit || undefined}
          disabled={disabled}
          onChange={(e) => onChange(cleanDecimal(e.target.value, decimals))}
        />
      );
    }
    case "temperature":
      return (
        <Input
          id={id}
          size="large"
          inputMode="decimal"
          className="bw-form-temperature"
          value={asText(value)}
          placeholder={t("forms.field.temperatureHint")}
          suffix="°C"
          disabled={disabled}
          onChange={(e) => onChange(cleanDecimal(e.target.value, 1))}
        />
      );
    case "single":
      return <Choice field={field} value={value} onChange={onChange} disabled={disabled} />;
    case "multiple":
      return <Choices field={field} value={value} onChange={onChange} disabled={disabled} />;
    case "date":
      return <Input id={id} size="large" type="date" value={asText(value)} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
    case "time":
      return <Input id={id} size="large" type="time" value={asText(value)} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
    case "phone":
      return (
        <Input
          id={id}
          size="large"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={asText(value)}
          placeholder={t("forms.field.phone")}
          maxLength={20}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "id_number":
      return (
        <Input
          id={id}
          size="large"
          value={asText(value)}
          placeholder={t("forms.field.idNumber")}
          maxLength={18}
          autoCapitalize="characters"
          disabled={disabled}
          onChange={(e) => onChange(e.target.value.toUpperCase())}
        />
      );
    case "location":
      return <LocationInput field={field} value={value} onChange={onChange} disabled={disabled} />;
    case "file":
      // An updater, not a value: an upload ends after other answers may have changed.
      return <FileField field={field} value={value} onChange={onChange} disabled={disabled} />;
    case "rating":
      return (
        <Rate
          count={field.max ?? 5}
          value={typeof value === "number" ? value : 0}
          disabled={disabled}
          onChange={(n) => onChange(n || null)}
          className="bw-form-rate"
          data-testid={`rating-${field.key}`}
        />
      );
  }
}
