import { describe, expect, it } from "vitest";
import zhCN from "../../i18n/locales/zh-CN";
import enUS from "../../i18n/locales/en-US";
import { format, type TFunction } from "../../i18n";
import { renderToStaticMarkup } from "react-dom/server";
import { createElement, Fragment, type ReactNode } from "react";
import { formatNodes, type TNodes } from "../../i18n/isolate";
import { conversationTitle, conversationTitleNode, historyTitleNode, historyTitleText, listPreviewNode, previewNode, previewText, systemNode, systemText } from "./text";
import type { Conversation, HistorySource, Message } from "./api";

const tFor =
  (m: Record<string, string>): TFunction =>
  (key, params) =>
    format(m[key] ?? key, params);
const zh = tFor(zhCN);
const en = tFor(enUS);
const tnFor =
  (m: Record<string, string>): TNodes =>
  (key, params) =>
    formatNodes(m[key] ?? key, params);
const html = (n: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, n));

function sys(body: object, senderId = 1): Message {
  return {
    conversation_id: 1,
    seq: 5,
    sender: { id: senderId, name: "王老师" },
    kind: "system",
    body: JSON.stringify(body),
    mentions: [],
    reply_to_seq: null,
    reply_preview: null,
    file: null,
    client_msg_id: null,
    created_at: "2026-11-24T08:00:00Z",
    recalled: false,
    opened_at: null,
    expires_at: null,
    unread_count: null,
  } as Message;
}

describe("system messages", () => {
  it("name the people added, removed or leaving", () => {
    const one = sys({ event: "members.added", person_ids: [7], names: ["张三"], count: 1 });
    expect(systemText(one, zh)).toBe("王老师邀请了张三加入群聊");
    expect(systemText(one, en)).toBe("王老师 added 张三");
    const three = sys({ event: "members.removed", person_ids: [7, 8, 9], names: ["张三", "李四", "王五"], count: 3 });
    expect(systemText(three, zh)).toBe("王老师将张三、李四、王五移出了群聊");
    expect(systemText(three, en)).toBe("王老师 removed 张三, 李四 and 王五");
    const left = sys({ event: "members.left", person_ids: [7], names: ["张三"], count: 1 }, 7);
    expect(systemText(left, en)).toBe("张三 left the group");
  });

  it("say how many of a crowd, naming the first two", () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 10);
    const names = ids.map((i) => `家长${i}`);
    const m = sys({ event: "members.added", person_ids: ids, names, count: 2989 });
    expect(systemText(m, zh)).toBe("王老师邀请了家长10、家长11等 2989 人加入群聊");
    expect(systemText(m, en)).toBe("王老师 added 2989 people, including 家长10 and 家长11");
  });

  it("speak of the reader as you", () => {
    const m = sys({ event: "members.added", person_ids: [7, 8], names: ["张三", "李四"], count: 2 });
    expect(systemText(m, zh, 8)).toBe("王老师邀请了你、张三加入群聊");
    expect(systemText(m, en, 1)).toBe("You added 张三 and 李四");
    expect(systemText(m, en, 8)).toBe("王老师 added you and 张三");
    const ids = Array.from({ length: 10 }, (_, i) => i + 10);
    const crowd = sys({ event: "members.added", person_ids: ids, names: ids.map((i) => `家长${i}`), count: 40 });
    expect(systemText(crowd, zh, 15)).toBe("王老师邀请了你、家长10等 40 人加入群聊");
  });

  it("read bodies written before names were capped (no count)", () => {
    const m = sys({ event: "members.added", person_ids: [7, 8], names: ["张三", "李四"] });
    expect(systemText(m, en)).toBe("王老师 added 张三 and 李四");
    expect(systemText(sys({ event: "members.left", person_ids: [7, 8] }), zh)).toBe("2 人退出了群聊");
  });
});

describe("conversation titles", () => {
  const unit = (unit_kind: string) => ({ kind: "unit", unit_kind, name: "1班", peer: null }) as unknown as Conversation;
  it("call a class's group its home–school group, in the reader's language", () => {
    expect(conversationTitle(unit("class"), zh)).toBe("1班 家校群");
    expect(conversationTitle(unit("class"), en)).toBe("1班 home–school group");
    expect(conversationTitle(unit("team"), en)).toBe("1班");
  });
});

describe("user text on screen is isolated from the sentence around it", () => {
  // Hebrew and Arabic are right-to-left: unisolated, "سارة 2" beside our words reorders them.
  const sarah = "שרה כהן";
  const arabic = "سارة 2";

  it("in system lines, every name (and the group's name) is a <bdi>", () => {
    const added = sys({ event: "members.added", person_ids: [7, 8], names: [sarah, arabic], count: 2 });
    added.sender = { id: 1, name: "مدرس" };
    expect(html(systemNode(added, tnFor(zhCN)))).toBe(`<bdi>مدرس</bdi>邀请了<bdi>${sarah}</bdi>、<bdi>${arabic}</bdi>加入群聊`);
    expect(html(systemNode(added, tnFor(enUS), 8))).toBe(`<bdi>مدرس</bdi> added <bdi>you</bdi> and <bdi>${sarah}</bdi>`);
    const one = sys({ event: "members.left", person_ids: [7], names: [arabic], count: 1 });
    expect(html(systemNode(one, tnFor(enUS)))).toBe(`<bdi>${arabic}</bdi> left the group`);
    const created = sys({ event: "group.created", name: "קבוצה 1" });
    expect(html(systemNode(created, tnFor(zhCN)))).toBe("<bdi>王老师</bdi>创建了群聊“<bdi>קבוצה 1</bdi>”");
    // The same line as plain text (notifications) is unchanged.
    expect(systemText(one, en)).toBe(`${arabic} left the group`);
  });

  it("in the list: the sender, the message, file names and titles", () => {
    const conv = {
      kind: "group",
      name: "ועד הורים",
      peer: null,
      last_message: { ...sys({}), kind: "text", body: "שלום לכולם", sender: { id: 3, name: arabic } },
    } as unknown as Conversation;
    expect(html(listPreviewNode(conv, tnFor(zhCN), 1))).toBe(`<bdi>${arabic}</bdi>: <bdi>שלום לכולם</bdi>`);
    expect(html(conversationTitleNode(conv, tnFor(zhCN)))).toBe("<bdi>ועד הורים</bdi>");
    const cls = { kind: "unit", unit_kind: "class", name: "כיתה א", peer: null } as unknown as Conversation;
    expect(html(conversationTitleNode(cls, tnFor(zhCN)))).toBe("<bdi>כיתה א</bdi> 家校群");
    const file = { ...sys({}), kind: "file", body: null, file: { name: "מבחן.pdf" } } as unknown as Message;
    expect(html(previewNode(file, tnFor(enUS)))).toBe("[File] <bdi>מבחן.pdf</bdi>");
    const recalled = { ...sys({}), kind: "text", recalled: true, sender: { id: 3, name: arabic } } as unknown as Message;
    expect(html(previewNode(recalled, tnFor(zhCN)))).toMatch(new RegExp(`^<bdi>${arabic}</bdi>`));
  });

  it("formatNodes leaves numbers and nested sentences as they are", () => {
    expect(html(formatNodes("{a} · {n} · {x}", { a: "علي", n: 3, x: createElement("b", null, "x") }))).toBe("<bdi>علي</bdi> · 3 · <b>x</b>");
    expect(html(formatNodes("no params"))).toBe("no params");
  });
});

describe("chat-history cards", () => {
  const card = (source: HistorySource): Message =>
    ({
      ...sys({}),
      kind: "history",
      body: null,
      card: { source, count: 2, preview: [] },
    }) as Message;
  const people: HistorySource = { kind: "people", name: null, people: [{ id: 1, name: "王老师" }, { id: 2, name: "李琪怡", parent_of: { student_id: 3, student_name: "王军杰", relation: "母亲" } }] };

  it("is titled after its group, or its two people (a guardian as a parent)", () => {
    expect(previewText(card({ kind: "group", name: "教研组", people: [] }), zh)).toBe("[聊天记录] 群聊 教研组 的聊天记录");
    expect(previewText(card({ kind: "group", name: "教研组", people: [] }), en)).toBe("[Chat history] Chat history of group 教研组");
    expect(historyTitleText(people, zh)).toBe("王老师和王军杰妈妈的聊天记录");
    expect(historyTitleText(people, en)).toBe("Chat history of 王老师 and 王军杰's mother");
    expect(historyTitleText({ kind: "people", name: null, people: [{ id: 1, name: "王老师" }] }, en)).toBe("Chat history of 王老师");
  });

  it("isolates the names on screen", () => {
    expect(html(historyTitleNode({ kind: "group", name: "教研组", people: [] }, tnFor(zhCN)))).toBe("群聊 <bdi>教研组</bdi> 的聊天记录");
  });
});
