/**
 * The socket's types come from the generated schema only. This test reads every source file and
 * fails on one that declares a frame of the server's unions by hand (`type: "message.new";` in
 * an interface or type literal), which would drift from the server unseen.
 */
import { describe, expect, it } from "vitest";
import { canonicalTopic, parseEvent } from "./protocol";
import { backoff } from "./socket";

const sources = import.meta.glob<string>(["../**/*.ts", "../**/*.tsx", "!**/node_modules/**"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const SCHEMA = "../api/schema.d.ts";

/** The `type` values of the members of a union in the generated schema (`Event`, `ClientFrame`). */
export function unionTypes(schema: string, union: string): string[] {
  const line = schema.match(new RegExp(`^\\s*${union}: (.+);$`, "m"));
  if (!line) throw new Error(`${union} is not in the schema`);
  const members = [...line[1].matchAll(/components\["schemas"\]\["(\w+)"\]/g)].map((m) => m[1]);
  return members.map((name) => {
    const body = schema.match(new RegExp(`^\\s*${name}: \\{([\\s\\S]*?)^\\s*\\};`, "m"));
    const type = body?.[1].match(/^\s*type: "([^"]+)";/m);
    if (!type) throw new Error(`${name} has no literal type`);
    return type[1];
  });
}

/** Lines of `text` that declare a frame type by hand: `type: "hello";` or `type X = { type: "ping" }`. */
export function handWritten(text: string, types: string[]): string[] {
  const names = types.map((t) => t.replace(/\./g, "\\.")).join("|");
  const member = new RegExp(`^\\s*(readonly\\s+)?type\\??\\s*:\\s*"(${names})"\\s*;?\\s*$`);
  const inline = new RegExp(`^\\s*(export\\s+)?(type\\s+\\w+(<[^>]*>)?\\s*=|interface\\s).*\\btype\\??\\s*:\\s*"(${names})"`);
  const eventInterface = /^\s*(export\s+)?interface\s+\w+(Event|Frame)\b/;
  return text.split("\n").filter((l) => member.test(l) || inline.test(l) || eventInterface.test(l));
}

describe("socket types", () => {
  const schema = sources[SCHEMA];
  const types = [...unionTypes(schema, "Event"), ...unionTypes(schema, "ClientFrame")];

  it("are read from the schema's unions", () => {
    expect(types).toEqual(expect.arrayContaining(["hello", "message.new", "subscribed", "error", "subscribe", "read"]));
  });

  it("are never declared by hand", () => {
    const found: string[] = [];
    for (const [path, text] of Object.entries(sources)) {
      if (path === SCHEMA || path.includes("node_modules")) continue;
      for (const line of handWritten(text, types)) found.push(`${path}: ${line.trim()}`);
    }
    expect(found).toEqual([]);
  });

  it("the check catches the usual ways of writing one", () => {
    const t = ["hello", "message.new", "ping"];
    expect(handWritten(["export interface HelloEvent {", '  type: "hello";', "}"].join("\n"), t)).toHaveLength(2);
    expect(handWritten('type Frame = { type: "ping" } | { type: "x" };', t)).toHaveLength(1);
    expect(handWritten('  readonly type: "message.new";', t)).toHaveLength(1);
    expect(handWritten('  type: "message.new",', t)).toEqual([]); // a property of a value
    // Values are not declarations: sending a frame, raising an event in a test.
    expect(handWritten('socket.send({ type: "ping" });', t)).toEqual([]);
    expect(handWritten('sync.handle({ type: "message.new", conversation_id: 1, message });', t)).toEqual([]);
    expect(handWritten('type Dialog = { type: "create" } | null;', t)).toEqual([]);
  });
});

describe("frames", () => {
  it("parse any JSON object with a type; the rest is ignored", () => {
    expect(parseEvent('{"type":"hello","person_id":1,"connection_id":"x"}')).toMatchObject({ type: "hello" });
    expect(parseEvent('{"type":"notice.new","id":3}')).toMatchObject({ type: "notice.new" });
    expect(parseEvent('{"kind":"x"}')).toBeNull();
    expect(parseEvent("[1]")).toBeNull();
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent(new ArrayBuffer(2))).toBeNull();
  });

  it("name topics as the server does", () => {
    expect(canonicalTopic("unit:3")).toBe("unit:3");
    expect(canonicalTopic("unit:007")).toBe("unit:7");
    expect(canonicalTopic("unit:0")).toBe("unit:0");
    expect(canonicalTopic("Unit:3")).toBeNull();
    expect(canonicalTopic("unit:")).toBeNull();
    expect(canonicalTopic("unit:3:4")).toBeNull();
    expect(canonicalTopic("unit:12345678901234567890")).toBeNull();
  });

  it("reconnect with exponential backoff and jitter, capped", () => {
    expect(backoff(0, () => 0)).toBe(250);
    expect(backoff(0, () => 1)).toBe(500);
    expect(backoff(3, () => 1)).toBe(4000);
    expect(backoff(30, () => 1)).toBe(30000);
  });
});
