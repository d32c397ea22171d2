import { describe, expect, it } from "vitest";
import type { ImportColumns } from "../../api/types";
import { columnsPayload, initialChoice, mappingProblems } from "./mapping";

const ROSTER = ["class_path", "student_name", "student_number", "guardian_name", "guardian_phone", "relation"];

function proposal(columns: [string, string | null][], kind: "roster" | "staff" = "roster"): ImportColumns {
  return {
    kind,
    columns: columns.map(([heading, field], index) => ({
      index,
      heading,
      field,
      source: field ? "synonym" : null,
    })),
    fields: kind === "roster" ? ROSTER : ["department_path", "name", "phone", "email", "title"],
    required: kind === "roster" ? ["class_path", "student_name", "student_number"] : ["department_path", "name"],
    remembered: false,
  };
}

describe("column step", () => {
  it("starts from the server's proposal and leaves out columns without a heading", () => {
    const p = proposal([
      ["班级", "class_path"],
      ["", null],
      ["紧急联络号", null],
    ]);
    expect(initialChoice(p)).toEqual({ 0: "class_path", 2: null });
    expect(columnsPayload(p, { 0: "class_path", 2: "guardian_phone" })).toEqual({ 班级: "class_path", 紧急联络号: "guardian_phone" });
  });

  it("names the required fields without a column, and a guardian's name and phone together", () => {
    const p = proposal([
      ["班级", "class_path"],
      ["姓名", "student_name"],
      ["紧急联络人", null],
      ["学籍号", null],
    ]);
    const choice = initialChoice(p);
    expect(mappingProblems("roster", p, choice)).toEqual({ missing: [["student_number"]], conflicts: [] });
    choice[2] = "guardian_name";
    choice[3] = "student_number";
    expect(mappingProblems("roster", p, choice).missing).toEqual([["guardian_phone"]]);
  });

  it("finds two columns given one field", () => {
    const p = proposal([
      ["班级", "class_path"],
      ["姓名", "student_name"],
      ["学号", "student_number"],
      ["家长姓名", "guardian_name"],
      ["家长手机号", "guardian_phone"],
      ["联系电话", "guardian_phone"],
    ]);
    const choice = initialChoice(p);
    expect(mappingProblems("roster", p, choice).conflicts).toEqual([
      { field: "guardian_phone", first: "家长手机号", second: "联系电话" },
    ]);
    choice[5] = null;
    expect(mappingProblems("roster", p, choice)).toEqual({ missing: [], conflicts: [] });
  });

  it("asks a staff list for a phone or an email", () => {
    const p = proposal(
      [
        ["部门", "department_path"],
        ["姓名", "name"],
        ["微信", null],
      ],
      "staff",
    );
    expect(mappingProblems("staff", p, initialChoice(p)).missing).toEqual([["phone", "email"]]);
    expect(mappingProblems("staff", p, { ...initialChoice(p), 2: "email" }).missing).toEqual([]);
  });
});
