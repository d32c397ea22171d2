/**
 * A meeting's roster kept up to date from `meeting.changed` events (docs/meetings.md, "Roster
 * events"): each event is one numbered change — the meeting without its roster, the people who
 * joined or changed, the ids of those who left. The whole roster comes from GET on connect and
 * whenever an event's version is not the next one (a gap: some were missed).
 */
import type { components } from "../../api/schema";

type Meeting = components["schemas"]["MeetingView"];
type Changed = components["schemas"]["MeetingChanged"];
type Participant = components["schemas"]["ParticipantOut"];

/** What to do with an event, given the version one holds: apply it, skip it (old), or fetch all. */
export function next(held: number | null, version: number): "apply" | "skip" | "fetch" {
  if (held === null) return "fetch";
  if (version <= held) return "skip";
  return version === held + 1 ? "apply" : "fetch";
}

/** The meeting after one change; `myId` gets one's own place (in, waiting, removed, left). */
export function applyChange(prev: Meeting, ev: Changed, myId: number | undefined): Meeting {
  const live = ev.meeting.state === "live";
  const changed = new Map(ev.people.map((p) => [p.person_id, p]));
  const gone = new Set(ev.gone);
  let people: Participant[] = [];
  if (live) {
    people = prev.participants.filter((p) => !gone.has(p.person_id)).map((p) => changed.get(p.person_id) ?? p);
    const known = new Set(people.map((p) => p.person_id));
    for (const p of ev.people) if (!known.has(p.person_id)) people.push(p);
    // The host first, as the server sorts it (a hand-over sends the old host and the new).
    people.sort((a, b) => Number(b.host) - Number(a.host));
  }
  let me = prev.me;
  const own = myId === undefined ? undefined : people.find((p) => p.person_id === myId);
  if (own) me = own.state;
  else if (prev.me === "in" || prev.me === "waiting") {
    if (!live) me = "left";
    else if (myId !== undefined && gone.has(myId)) me = "removed";
  }
  return { ...prev, ...ev.meeting, participants: people, me, is_host: ev.meeting.host.id === myId };
}
