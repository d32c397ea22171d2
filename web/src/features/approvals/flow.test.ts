import { describe, expect, it } from "vitest";
import { applying, asNumber, holds, type FlowCondition } from "./flow";

const big: FlowCondition = { field: "amount", op: "gt", value: 5000 };

describe("holds (the server's approvals/flow.py rule)", () => {
  it("compares numbers, numeric text included; a missing or non-numeric answer is false", () => {
    expect(holds(big, { amount: 5000.01 })).toBe(true);
    expect(holds(big, { amount: "6000" })).toBe(true);
    expect(holds(big, { amount: 5000 })).toBe(false);
    expect(holds(big, { amount: 300 })).toBe(false);
    expect(holds(big, {})).toBe(false);
    expect(holds(big, { amount: "lots" })).toBe(false);
    expect(holds(big, { amount: "" })).toBe(false);
    expect(holds(big, { amount: true })).toBe(false);
    expect(holds({ field: "amount", op: "le", value: 5000 }, { amount: 5000 })).toBe(true);
    expect(holds({ field: "days", op: "ge", value: "3" }, { days: 3 })).toBe(true);
    expect(holds({ field: "days", op: "lt", value: 3 }, { days: 2.5 })).toBe(true);
  });

  it("matches choices with in, numbers with eq, and a missing answer with ne", () => {
    const kind: FlowCondition = { field: "leave_type", op: "in", value: ["sick", "personal"] };
    expect(holds(kind, { leave_type: "sick" })).toBe(true);
    expect(holds(kind, { leave_type: "annual" })).toBe(false);
    expect(holds(kind, {})).toBe(false);
    expect(holds({ field: "tags", op: "in", value: "b" }, { tags: ["a", "b"] })).toBe(true);
    expect(holds({ field: "n", op: "eq", value: 3 }, { n: 3.0 })).toBe(true);
    expect(holds({ field: "n", op: "eq", value: 3 }, { n: "3.00" })).toBe(true);
    expect(holds({ field: "t", op: "eq", value: "x" }, { t: "x" })).toBe(true);
    expect(holds({ field: "t", op: "ne", value: "x" }, {})).toBe(true);
    expect(holds({ field: "t", op: "eq", value: "x" }, {})).toBe(false);
  });

  it("reads numbers as Decimal does", () => {
    expect(asNumber(" 12.5 ")).toBe(12.5);
    expect(asNumber("1e3")).toBe(1000);
    expect(asNumber("0x10")).toBeNull();
    expect(asNumber("")).toBeNull();
    expect(asNumber(null)).toBeNull();
    expect(asNumber(["1"])).toBeNull();
  });
});

describe("applying", () => {
  const steps = [
    { name: "直属主管", when: [] },
    { name: "财务负责人（5000 元以上）", when: [big] },
    { name: "病假", when: [{ field: "leave_type", op: "eq", value: "sick" } as FlowCondition, big] },
  ];
  it("keeps the steps whose every condition holds, in order", () => {
    expect(applying(steps, { amount: 300 }).map((s) => s.name)).toEqual(["直属主管"]);
    expect(applying(steps, { amount: 8000 }).map((s) => s.name)).toEqual(["直属主管", "财务负责人（5000 元以上）"]);
    expect(applying(steps, { amount: 8000, leave_type: "sick" }).map((s) => s.name)).toEqual(["直属主管", "财务负责人（5000 元以上）", "病假"]);
    expect(applying<{ name: string; when?: FlowCondition[] }>([{ name: "x" }], {}).map((s) => s.name)).toEqual(["x"]);
  });
});
