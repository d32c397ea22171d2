import { describe, expect, it } from "vitest";
import zhCN from "../../i18n/locales/zh-CN";
import enUS from "../../i18n/locales/en-US";
import { format, type TFunction } from "../../i18n";
import { conversationTitle, systemText } from "./text";
import type { Conversation, Message } from "./api";

const tFor =
  (m: Record<string, string>): TFunction =>
  (key, params) =>
    format(m[key] ?? key, params);
const zh = tFor(zhCN);
const en = tFor(enUS);

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
