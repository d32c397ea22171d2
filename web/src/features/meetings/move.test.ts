import { describe, expect, it } from "vitest";
import { fromLocalInput, mayMove, toLocalInput } from "./move";

describe("moving a meeting", () => {
  it("is the host's, before the meeting starts", () => {
    expect(mayMove({ is_host: true, state: "scheduled" })).toBe(true);
    expect(mayMove({ is_host: false, state: "scheduled" })).toBe(false);
    expect(mayMove({ is_host: true, state: "live" })).toBe(false);
    expect(mayMove({ is_host: true, state: "ended" })).toBe(false);
  });

  it("goes between the picker's local minute and the API's time", () => {
    const iso = new Date(2030, 0, 2, 8, 30, 45).toISOString(); // 08:30:45 on this device
    expect(toLocalInput(iso)).toBe("2030-01-02T08:30");
    expect(fromLocalInput("2030-01-02T08:30")).toBe(new Date(2030, 0, 2, 8, 30).toISOString());
    expect(fromLocalInput(toLocalInput(iso))).toBe(new Date(2030, 0, 2, 8, 30).toISOString());
  });

  it("has nothing for an empty or broken value", () => {
    expect(toLocalInput(null)).toBe("");
    expect(toLocalInput(undefined)).toBe("");
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("tomorrow")).toBeNull();
  });
});
