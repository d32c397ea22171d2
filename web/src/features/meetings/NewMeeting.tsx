/**
 * The new-meeting form on /meetings: for a group chat's members, a unit's group (one it belongs
 * in: the others are greyed in the unit picker) or invited people (a group chat is made for
 * them), now or at a time, with or without a waiting room. The server's error shows under the
 * form (422 `meeting_nobody_invited`, 403 `meeting_not_in_unit`, ...).
 */
import { useRef, useState } from "react";
import { Alert, Button, Card, Checkbox, DatePicker, Input, Segmented, Select, Space, Tag } from "antd";
import { useNavigate } from "react-router-dom";
import type { Dayjs } from "dayjs";
import { useMe, usePerson } from "../../api/hooks";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { PersonSelect } from "../people/PersonSelect";
import "./meetings.css";

export type Audience = "group" | "unit" | "people";
type Group = { id: number; name?: string | null };

function Invitee({ id, onClose }: { id: number; onClose: () => void }) {
  const p = usePerson(id).data;
  return (
    <Tag closable onClose={onClose} data-testid="meeting-invitee">
      <bdi>{p?.name ?? `#${id}`}</bdi>
    </Tag>
  );
}

export function NewMeeting({ groups, initialConversation }: { groups: Group[]; initialConversation: number | null }) {
  const t = useT();
  const navigate = useNavigate();
  const me = useMe().data;
  const [audience, setAudience] = useState<Audience>("group");
  const [title, setTitle] = useState("");
  const [conv, setConv] = useState<number | null>(initialConversation);
  const [unit, setUnit] = useState<number | null>(null);
  const [people, setPeople] = useState<number[]>([]);
  const [at, setAt] = useState<Dayjs | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const clientId = useRef(crypto.randomUUID());
  // The units whose group one is in (a class's students are not in its group).
  const mine = new Set((me?.memberships ?? []).filter((m) => m.role !== "student").map((m) => m.unit.id));

  const target = () => {
    if (audience === "group") return conv == null ? null : { conversation_id: conv };
    if (audience === "unit") return unit == null ? null : { unit_id: unit };
    return { person_ids: people }; // none: the server says to invite someone
  };
  const create = async (now: boolean) => {
    setProblem(null);
    const to = target();
    if (!to) return setProblem(t(audience === "unit" ? "meetings.pickUnit" : "meetings.pickGroup"));
    setBusy(true);
    try {
      const m = await call(
        api.POST("/api/v1/meetings", {
          body: { title: title.trim(), ...to, start_now: now, starts_at: !now && at ? at.second(0).millisecond(0).toISOString() : null, waiting_room: waiting, client_id: clientId.current },
        }),
      );
      navigate(`/meetings/${m.id}`);
    } catch (err) {
      setProblem(errorText(err, t));
      clientId.current = crypto.randomUUID();
    } finally {
      setBusy(false);
    }
  };
  const ready = !!title.trim() && !busy;
  return (
    <Card size="small" title={t("meetings.new")} style={{ marginBottom: 12 }} data-testid="meeting-new">
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Input value={title} maxLength={100} placeholder={t("meetings.titlePlaceholder")} onChange={(e) => setTitle(e.target.value)} data-testid="meeting-title" />
        <Segmented<Audience>
          block
          value={audience}
          onChange={(v) => {
            setAudience(v);
            setProblem(null);
          }}
          options={[
            { value: "group", label: t("meetings.forGroup") },
            { value: "unit", label: t("meetings.forUnit") },
            { value: "people", label: t("meetings.forPeople") },
          ]}
          data-testid="meeting-audience-kind"
        />
        {audience === "group" && (
          <Select
            showSearch
            optionFilterProp="label"
            style={{ width: "100%" }}
            value={conv ?? undefined}
            onChange={(v) => {
              setProblem(null);
              setConv(v);
            }}
            placeholder={t("meetings.audiencePlaceholder")}
            aria-label={t("meetings.audience")}
            options={groups.map((c) => ({ value: c.id, label: c.name ?? "" }))}
            data-testid="meeting-audience"
          />
        )}
        {audience === "unit" && (
          <UnitTreeSelect value={unit} onChange={(id) => {
              setProblem(null);
              setUnit(id);
            }} placeholder={t("meetings.unitPlaceholder")} disabled={(u) => !mine.has(u.id)} data-testid="meeting-unit" />
        )}
        {audience === "people" && (
          <div className="bw-meeting-people">
            <PersonSelect
              value={null}
              placeholder={t("meetings.peoplePlaceholder")}
              exclude={[...(me ? [me.id] : []), ...people]}
              onChange={(id) => {
                setProblem(null);
                setPeople((ps) => (ps.includes(id) ? ps : [...ps, id]));
              }}
              data-testid="meeting-person-select"
            />
            {people.length > 0 && (
              <div>
                {people.map((id) => (
                  <Invitee key={id} id={id} onClose={() => setPeople((ps) => ps.filter((p) => p !== id))} />
                ))}
              </div>
            )}
          </div>
        )}
        <Checkbox checked={waiting} onChange={(e) => setWaiting(e.target.checked)} data-testid="meeting-waiting-option">
          {t("meetings.waitingRoomOption")}
        </Checkbox>
        <Space wrap>
          <Button type="primary" disabled={!ready} onClick={() => void create(true)} data-testid="meeting-start-now">
            {t("meetings.startNow")}
          </Button>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" value={at} onChange={setAt} placeholder={t("meetings.when")} data-testid="meeting-when" />
          <Button disabled={!ready || !at} onClick={() => void create(false)} data-testid="meeting-schedule">
            {t("meetings.schedule")}
          </Button>
        </Space>
        {problem && <Alert type="error" showIcon title={problem} data-testid="meeting-error" />}
      </Space>
    </Card>
  );
}
