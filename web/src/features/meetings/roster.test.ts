import { describe, expect, it } from "vitest";
import type { components } from "../../api/schema";
import { applyChange, next } from "./roster";

type Meeting = components["schemas"]["MeetingView"];
type Changed = components["schemas"]["MeetingChanged"];
type Participant = components["schemas"]["ParticipantOut"];

const person = (id: number, over: Partial<Participant> = {}): Participant => ({
  person_id: id,
  name: `P${id}`,
  state: "in",
  feed: null,
  screen_feed: null,
  mic: false,
  camera: false,
  hard_muted: false,
  host: id === 1,
  ...over,
});
const head = (version: number, over: Partial<Changed["meeting"]> = {}): Changed["meeting"] =>
  ({ id: 7, title: "周会", state: "live", host: { id: 1, name: "P1" }, locked: false, waiting_room: false, all_muted: false, version, ...over }) as Changed["meeting"];
const meeting = { ...head(3), participants: [person(1), person(2), person(3)], is_host: false, me: "in", may_see_attendance: false } as Meeting;
const change = (version: number, people: Participant[], gone: number[] = [], over = {}): Changed =>
  ({ type: "meeting.changed", meeting_id: 7, version, meeting: head(version, over), people, gone }) as Changed;

describe("meeting roster events", () => {
  it("applies the next version, skips old ones and fetches after a gap", () => {
    expect(next(3, 4)).toBe("apply");
    expect(next(3, 3)).toBe("skip");
    expect(next(3, 6)).toBe("fetch");
    expect(next(null, 1)).toBe("fetch");
  });

  it("adds, updates and removes only who changed", () => {
    let m = applyChange(meeting, change(4, [person(4)]), 2);
    expect(m.participants.map((p) => p.person_id)).toEqual([1, 2, 3, 4]);
    m = applyChange(m, change(5, [person(3, { hard_muted: true })]), 2);
    expect(m.participants.find((p) => p.person_id === 3)?.hard_muted).toBe(true);
    expect(m.participants.find((p) => p.person_id === 4)).toEqual(person(4));
    m = applyChange(m, change(6, [], [4]), 2);
    expect(m.participants.map((p) => p.person_id)).toEqual([1, 2, 3]);
    expect(m.version).toBe(6);
  });

  it("moves the host first on a hand-over and tells me I was removed", () => {
    let m = applyChange(meeting, change(4, [person(1, { host: false }), person(3, { host: true })], [], { host: { id: 3, name: "P3" } }), 3);
    expect(m.participants[0].person_id).toBe(3);
    expect(m.is_host).toBe(true);
    m = applyChange(m, change(5, [], [2]), 2);
    expect(m.me).toBe("removed");
    const ended = applyChange(meeting, change(4, [], [], { state: "ended" }), 2);
    expect(ended.participants).toEqual([]);
    expect(ended.me).toBe("left");
  });
});
