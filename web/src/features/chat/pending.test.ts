/**
 * Unsent messages survive a reload: what pending.ts keeps in IndexedDB (outbox.ts, here the
 * in-memory fake-indexeddb) comes back into its conversation as failed and goes again, in order,
 * with the same client_msg_id; it is forgotten once the server stores it, when it is discarded
 * and at logout.
 */
import "fake-indexeddb/auto";
import { QueryClient } from "@tanstack/react-query";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "./api";
import { clearOutbox, dropMessage, keepMessage, loadMessages, ownOutbox } from "./outbox";
import { deliverPending, removePending, resendFailed, restorePending, settleDelivered, type Pending } from "./pending";

const sent: { conversation: number; client_msg_id: string; body: string | null }[] = [];
let network: "up" | "down" = "up";

vi.mock("./api", () => ({
  sendMessage: vi.fn(async (conversation: number, body: { client_msg_id: string; body: string | null }) => {
    if (network === "down") throw new TypeError("Failed to fetch");
    sent.push({ conversation, client_msg_id: body.client_msg_id, body: body.body });
    return { conversation_id: conversation, seq: sent.length, client_msg_id: body.client_msg_id, body: body.body };
  }),
  uploadFile: vi.fn(),
}));
vi.mock("./live/sync", () => ({ chatSync: () => null }));


const ME = 7;
const pendingOf = (qc: QueryClient, id: number) => qc.getQueryData<Pending[]>(["chat", "pending", id]) ?? [];

/** Client ids are unique (as UUIDs are): a message done with is never kept again on this page. */
let run = 0;
const id = (cid: string) => `${run}-${cid}`;

function message(cid: string, body: string, at: string, extra: Partial<Pending> = {}): Pending {
  return { client_msg_id: id(cid), kind: "text", body, mentions: [], reply_to_seq: null, reply_preview: null, status: "sending", created_at: at, ...extra };
}

/** What a page does when a message is written: it is shown and kept (usePending.send). */
async function write(qc: QueryClient, id: number, p: Pending, file?: File) {
  const gen = ownOutbox(ME);
  const kept = { ...p, kept: gen };
  qc.setQueryData<Pending[]>(["chat", "pending", id], (l) => [...(l ?? []), kept]);
  await keepMessage(gen, { conversation_id: id, ...p }, file);
  return kept;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

beforeEach(async () => {
  run += 1;
  sent.length = 0;
  network = "up";
  await clearOutbox();
});

describe("unsent messages across a reload", () => {
  it("come back failed, in the order written, and go again once with the same id", async () => {
    const before = new QueryClient();
    network = "down";
    const second = await write(before, 3, message("b", "第二条", "2026-01-01T08:00:00.002Z"));
    const first = await write(before, 3, message("a", "第一条", "2026-01-01T08:00:00.001Z"));
    await write(before, 4, message("c", "another chat", "2026-01-01T08:00:01.000Z"));
    await deliverPending(before, 3, second);
    await deliverPending(before, 3, first);
    expect(pendingOf(before, 3).map((p) => p.status)).toEqual(["failed", "failed"]);

    // The page reloads: a new query cache, and the same person.
    const after = new QueryClient();
    expect(await restorePending(after, ME)).toBe(3);
    const back = pendingOf(after, 3);
    expect(back.map((p) => [p.body, p.status, p.tries])).toEqual([
      ["第一条", "failed", 0],
      ["第二条", "failed", 0],
    ]);
    expect(back[0].error).toBeUndefined(); // not reached: the bubble says "发送失败" / "Not sent"
    expect(pendingOf(after, 4).map((p) => p.body)).toEqual(["another chat"]);

    network = "up";
    resendFailed(after);
    await settle();
    // Each conversation's in the order written (conversations go side by side).
    expect(sent.filter((s) => s.conversation === 3)).toEqual([
      { conversation: 3, client_msg_id: id("a"), body: "第一条" },
      { conversation: 3, client_msg_id: id("b"), body: "第二条" },
    ]);
    expect(sent.filter((s) => s.conversation === 4)).toEqual([{ conversation: 4, client_msg_id: id("c"), body: "another chat" }]);
    expect(pendingOf(after, 3)).toEqual([]);
    expect(await loadMessages(ME)).toEqual([]);
  });

  it("are the logged-in person's own, and go at logout", async () => {
    const qc = new QueryClient();
    const p = await write(qc, 3, message("a", "私事", "2026-01-01T08:00:00.000Z"));
    expect(await restorePending(new QueryClient(), 8)).toBe(0); // someone else logs in here
    ownOutbox(ME);
    expect((await loadMessages(ME)).map((m) => m.body)).toEqual(["私事"]);

    await clearOutbox();
    expect(await loadMessages(ME)).toEqual([]);
    // A send still under way at logout fails afterwards: it writes nothing back.
    network = "down";
    await deliverPending(qc, 3, p);
    await settle();
    ownOutbox(ME);
    expect(await loadMessages(ME)).toEqual([]);
  });

  it("are forgotten when discarded, or when the history shows the server had them", async () => {
    const qc = new QueryClient();
    await write(qc, 3, message("a", "删掉这条", "2026-01-01T08:00:00.000Z", { status: "failed" }));
    await write(qc, 3, message("b", "其实已送达", "2026-01-01T08:00:01.000Z", { status: "failed" }));
    removePending(qc, 3, id("a"));
    settleDelivered(qc, 3, [{ seq: 9, client_msg_id: id("b") } as Message]);
    await settle();
    expect(pendingOf(qc, 3)).toEqual([]);
    expect(await loadMessages(ME)).toEqual([]);
    // A late write for a message already done does not bring it back.
    await keepMessage(ownOutbox(ME), { conversation_id: 3, ...message("a", "删掉这条", "2026-01-01T08:00:00.000Z") });
    await dropMessage(ownOutbox(ME), id("zzz"));
    expect(await loadMessages(ME)).toEqual([]);
  });

  it("keep a file's bytes until it is uploaded; a refused one stays refused", async () => {
    const qc = new QueryClient();
    const bytes = new File(["%PDF-1.4 作业"], "作业.pdf", { type: "application/pdf" });
    await write(qc, 3, message("f", null as unknown as string, "2026-01-01T08:00:00.000Z", { kind: "file", file_name: "作业.pdf", file_size: bytes.size }), bytes);
    await write(qc, 3, message("r", "太长了", "2026-01-01T08:00:01.000Z", { status: "failed", final: true, error: "被拒绝" }));
    const [file] = await loadMessages(ME);
    expect(file.blob?.name).toBe("作业.pdf");
    expect(await file.blob?.text()).toBe("%PDF-1.4 作业");

    const after = new QueryClient();
    await restorePending(after, ME);
    const [f, r] = pendingOf(after, 3);
    expect([f.localFile?.name, f.file_name, f.final, f.lost_file]).toEqual(["作业.pdf", "作业.pdf", undefined, undefined]);
    expect([r.final, r.error]).toEqual([true, "被拒绝"]);
    resendFailed(after);
    expect(pendingOf(after, 3).find((p) => p.client_msg_id === id("r"))?.status).toBe("failed");
  });

  it("a file whose bytes were not kept can only be discarded, and says so", async () => {
    await write(new QueryClient(), 3, message("f", null as unknown as string, "2026-01-01T08:00:00.000Z", { kind: "image", file_name: "照片.png", file_size: 10 }));
    const after = new QueryClient();
    await restorePending(after, ME);
    const [p] = pendingOf(after, 3);
    expect([p.kind, p.file_name, p.final, p.lost_file]).toEqual(["image", "照片.png", true, true]);
  });
});
