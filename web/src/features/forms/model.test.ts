import { describe, expect, it } from "vitest";
import { answersFromServer, answersToSend, carryOver, uploadsOf, fieldErrors, freshKey, labelText, toggleChoice, visible, type FieldOf, type FormField } from "./model";

const symptoms: FieldOf<"multiple"> = {
  key: "symptoms",
  kind: "multiple",
  label: { "zh-CN": "症状", en: "Symptoms" },
  exclusive: "none",
  options: [
    { value: "none", label: "无" },
    { value: "fever", label: "发热" },
    { value: "other", label: "其他" },
  ],
};
const fields: FormField[] = [
  { key: "temperature", kind: "temperature", label: "体温", required: true },
  symptoms,
  { key: "note", kind: "textarea", label: "说明", show_if: { field: "symptoms", any_of: ["other"] } },
  { key: "more", kind: "text", label: "更多", show_if: { field: "note", any_of: ["x"] } },
  { key: "photo", kind: "file", label: "照片" },
];

describe("forms model", () => {
  it("shows a conditional question only for its answers, and hides what hangs on a hidden one", () => {
    expect(visible(fields, {}).map((f) => f.key)).toEqual(["temperature", "symptoms", "photo"]);
    expect(visible(fields, { symptoms: ["fever", "other"] }).map((f) => f.key)).toEqual(["temperature", "symptoms", "note", "photo"]);
    // `more` hangs on `note`, hidden when "other" is not ticked: hidden too.
    expect(visible(fields, { symptoms: ["fever"], note: "x" }).map((f) => f.key)).not.toContain("more");
    expect(visible(fields, { symptoms: ["other"], note: "x" }).map((f) => f.key)).toContain("more");
  });

  it("clears the other options when the exclusive one is ticked, and it when another is", () => {
    expect(toggleChoice(symptoms, ["fever", "other"], "none", true)).toEqual(["none"]);
    expect(toggleChoice(symptoms, ["none"], "other", true)).toEqual(["other"]);
    expect(toggleChoice(symptoms, ["other"], "fever", true)).toEqual(["fever", "other"]);
    expect(toggleChoice(symptoms, ["fever", "other"], "fever", false)).toEqual(["other"]);
  });

  it("sends the answers of shown questions only, trimmed, blanks left out", () => {
    const sent = answersToSend(fields, { temperature: " 36.6 ", symptoms: ["none"], note: "left over", photo: [1] });
    expect(sent).toEqual({ temperature: "36.6", symptoms: ["none"] });
  });

  it("sends a photo question's uploaded files as ids, and knows what is still uploading or failed", () => {
    const stored = { id: 7, name: "a.png", url: "/api/v1/forms/files/7", has_thumbnail: true, content_type: "image/png", field: "photo" };
    const answers = answersFromServer(fields, { temperature: 36.5, photo: [7, 99] }, [stored]);
    expect(answers.photo).toEqual([expect.objectContaining({ id: 7, state: "done", thumb: "/api/v1/forms/files/7/thumbnail" })]);
    const more = {
      ...answers,
      photo: [
        ...(answers.photo as object[]),
        { uid: "u1", name: "b.png", state: "uploading", progress: 0.5, isImage: true },
        { uid: "u2", name: "c.png", state: "failed", progress: 0, isImage: true, error: "too large" },
      ],
    };
    expect(answersToSend(fields, more)).toEqual({ temperature: 36.5, photo: [7] });
    expect(uploadsOf(fields, more)).toEqual({ uploading: 1, failed: 1 });
    expect(answersToSend(fields, { photo: [] })).toEqual({});
  });

  it("carries over yesterday's answers to questions the form still has", () => {
    expect(carryOver(fields, { temperature: 36.5, gone: "x", photo: [3] })).toEqual({ temperature: 36.5 });
  });

  it("reads labels in the reader's language", () => {
    expect(labelText(symptoms.label, "en")).toBe("Symptoms");
    expect(labelText(symptoms.label, "zh-CN")).toBe("症状");
    expect(labelText({ en: "Only English" }, "zh-CN")).toBe("Only English");
    expect(labelText("一种", "en")).toBe("一种");
  });

  it("groups the server's errors by question", () => {
    expect(
      fieldErrors([
        { field: "answers.temperature", message: "体温：…" },
        { field: "version", message: "v" },
      ]),
    ).toEqual({ temperature: ["体温：…"], _form: ["v"] });
    expect(freshKey([{ key: "q1", kind: "date", label: "d" }])).toBe("q2");
  });
});
