/** React Query hooks of the chat screens. The realtime dispatcher writes into the same entries. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, postForm } from "../../api/http";
import type { components } from "../../api/schema";
import { chatKeys, useChatSync } from "./live";
import { fetchConversations, SEARCH_LIMIT, type ListCursor } from "./live/sync";
import type { History } from "./live/history";

type S = components["schemas"];
export type Conversation = S["ConversationOut"];
export type Message = S["MessageOut"];
export type Member = S["MemberOut"];
export type FileOut = S["FileOut"];
export type Receipt = S["Receipt"];
export type HistorySource = S["HistorySource"];
export type HistoryItem = S["HistoryItem"];
export type ForwardCreate = S["ForwardCreate"];

const path = (id: number) => ({ params: { path: { conversation_id: id } } });

export function useConversations(enabled = true) {
  const qc = useQueryClient();
  return useQuery({ queryKey: chatKeys.list, queryFn: () => fetchConversations(qc), enabled, staleTime: Infinity });
}

/** Where the loaded list ends (set by the list's fetches; null cursor: everything is loaded). */
export function useListCursor() {
  return useQuery<ListCursor | null>({ queryKey: chatKeys.listCursor, queryFn: () => null, enabled: false, staleTime: Infinity });
}

export function useConversation(id: number | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: chatKeys.conversation(id ?? 0),
    meta: { quiet404: true },
    queryFn: () => call(api.GET("/api/v1/conversations/{conversation_id}", path(id!))),
    enabled: id != null,
    staleTime: Infinity,
    initialData: () => qc.getQueryData<Conversation[]>(chatKeys.list)?.find((c) => c.id === id),
  });
}

export function useHistory(id: number) {
  const sync = useChatSync();
  return useQuery<History>({
    queryKey: chatKeys.history(id),
    meta: { quiet404: true },
    queryFn: () => sync!.loadHistory(id),
    enabled: sync != null,
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
}

export function useMembers(id: number | null) {
  return useQuery({
    queryKey: chatKeys.members(id ?? 0),
    meta: { quiet404: true },
    queryFn: () => call(api.GET("/api/v1/conversations/{conversation_id}/members", path(id!))),
    enabled: id != null,
    staleTime: 60_000,
  });
}

/**
 * The @-picker's matches: members whose name, pinyin or pinyin initials start with `q`, as the
 * directory matches them (the server's search keys; no matcher of our own), best first.
 */
export function useMemberSearch(id: number | null, q: string) {
  return useQuery({
    queryKey: [...chatKeys.members(id ?? 0), "search", q],
    meta: { quiet404: true },
    queryFn: () =>
      call(
        api.GET("/api/v1/conversations/{conversation_id}/members", {
          params: { path: { conversation_id: id! }, query: { q, limit: 50 } },
        }),
      ),
    enabled: id != null && q !== "",
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useReceipt(id: number, seq: number | null) {
  return useQuery({
    queryKey: chatKeys.receipt(id, seq ?? 0),
    meta: { quiet404: true },
    queryFn: () =>
      call(
        api.GET("/api/v1/conversations/{conversation_id}/messages/{seq}/receipt", {
          params: { path: { conversation_id: id, seq: seq! } },
        }),
      ),
    enabled: seq != null,
  });
}

/**
 * Searches one conversation's history (the server matches the text; the newest 50). The realtime
 * dispatcher keeps the results up to date: new matches appear, recalled and burned ones go.
 */
export function useSearchMessages(id: number, q: string) {
  return useQuery({
    queryKey: chatKeys.search(id, q),
    meta: { quiet404: true },
    queryFn: () =>
      call(
        api.GET("/api/v1/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: id }, query: { q, limit: SEARCH_LIMIT } },
        }),
      ),
    enabled: q.trim().length > 0,
    staleTime: 10_000,
  });
}

/** All the messages of a chat-history card (kind "history"), when it is opened. */
export function useHistoryCard(id: number, seq: number | null) {
  return useQuery({
    queryKey: ["chat", "card", id, seq ?? 0],
    meta: { quiet404: true },
    queryFn: () =>
      call(
        api.GET("/api/v1/conversations/{conversation_id}/messages/{seq}/history", {
          params: { path: { conversation_id: id, seq: seq! } },
        }),
      ),
    enabled: seq != null,
    staleTime: Infinity,
  });
}

/** 转发: messages to up to 9 conversations, one by one or merged into a chat-history card. */
export function useForward() {
  const sync = useChatSync();
  return useMutation({
    mutationFn: (body: ForwardCreate) => call(api.POST("/api/v1/forward", { body })),
    meta: { silent: true },
    onSuccess: (r) => r.messages.forEach((m) => sync?.putMessage(m)),
  });
}

export function sendMessage(id: number, body: S["MessageCreate"]): Promise<Message> {
  return call(api.POST("/api/v1/conversations/{conversation_id}/messages", { ...path(id), body }));
}

export function uploadFile(id: number, file: File): Promise<FileOut> {
  const form = new FormData();
  form.append("file", file, file.name);
  return postForm<FileOut>(`/api/v1/conversations/${id}/files`, form);
}

export function useMessageActions(id: number) {
  const sync = useChatSync();
  return {
    recall: useMutation({
      mutationFn: (seq: number) =>
        call(
          api.POST("/api/v1/conversations/{conversation_id}/messages/{seq}/recall", {
            params: { path: { conversation_id: id, seq } },
          }),
        ),
      meta: { silent: true },
      onSuccess: (_r, seq) =>
        sync?.handle({ type: "message.recalled", conversation_id: id, seq, recalled_by: sync.me }),
    }),
    open: useMutation({
      mutationFn: (seq: number) =>
        call(
          api.POST("/api/v1/conversations/{conversation_id}/messages/{seq}/open", {
            params: { path: { conversation_id: id, seq } },
          }),
        ),
      meta: { silent: true },
      onSuccess: (m) => sync?.putMessage(m),
    }),
  };
}

/** Opening conversations: direct (maybe private), my devices, a group, a unit's group. */
export function useOpenConversation() {
  const qc = useQueryClient();
  const put = (c: Conversation) => {
    qc.setQueryData(chatKeys.conversation(c.id), c);
    qc.setQueryData<Conversation[]>(chatKeys.list, (l) => (l && !l.some((x) => x.id === c.id) ? [c, ...l] : l));
    return c;
  };
  return {
    direct: useMutation({
      mutationFn: (b: { person_id: number; private?: boolean; burn_seconds?: number }) =>
        call(api.POST("/api/v1/conversations/direct", { body: { private: false, burn_seconds: 30, ...b } })).then(put),
      meta: { silent: true },
    }),
    devices: useMutation({
      mutationFn: () => call(api.POST("/api/v1/conversations/devices")).then(put),
    }),
    group: useMutation({
      mutationFn: (b: { name: string; member_ids: number[] }) =>
        call(api.POST("/api/v1/conversations/groups", { body: b })).then(put),
      meta: { silent: true },
    }),
    unit: useMutation({
      mutationFn: (unitId: number) =>
        call(api.GET("/api/v1/units/{unit_id}/group", { params: { path: { unit_id: unitId } } })).then(put),
      meta: { silent: true },
    }),
  };
}

/**
 * One's own settings of a conversation: 置顶 (pin) and 消息免打扰 (mute). The answer is applied at
 * once as the conversation.updated event the server also sends to one's other tabs.
 */
export function useOwnSettings() {
  const qc = useQueryClient();
  const sync = useChatSync();
  const apply = (c: Conversation) => {
    if (sync) sync.handle({ type: "conversation.updated", conversation: c });
    else qc.setQueryData(chatKeys.conversation(c.id), c);
  };
  return {
    pin: useMutation({
      mutationFn: (v: { id: number; pinned: boolean }) =>
        call(api.PUT("/api/v1/conversations/{conversation_id}/pin", { ...path(v.id), body: { pinned: v.pinned } })),
      meta: { silent: true },
      onSuccess: apply,
    }),
    mute: useMutation({
      mutationFn: (v: { id: number; muted: boolean }) =>
        call(api.PUT("/api/v1/conversations/{conversation_id}/mute", { ...path(v.id), body: { muted: v.muted } })),
      meta: { silent: true },
      onSuccess: apply,
    }),
  };
}

export function useGroupActions(id: number) {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: chatKeys.members(id) });
    void qc.invalidateQueries({ queryKey: chatKeys.conversation(id) });
    void qc.invalidateQueries({ queryKey: chatKeys.list });
  };
  const opts = { meta: { silent: true }, onSuccess: refresh };
  /** Left or dissolved: no more fetching of what one can no longer see. */
  const gone = () => {
    qc.setQueryData(chatKeys.conversation(id), null);
    qc.setQueryData<Conversation[]>(chatKeys.list, (l) => l?.filter((x) => x.id !== id));
    void qc.cancelQueries({ queryKey: chatKeys.members(id) });
    void qc.cancelQueries({ queryKey: chatKeys.history(id) });
  };
  return {
    rename: useMutation({
      mutationFn: (name: string) =>
        call(api.PATCH("/api/v1/conversations/{conversation_id}", { ...path(id), body: { name } })),
      ...opts,
    }),
    avatar: useMutation({
      /** Uploads the image to the group, then makes it the avatar (null removes it). */
      mutationFn: async (file: File | null) => {
        const avatar_file_id = file ? (await uploadFile(id, file)).id : null;
        return call(api.PATCH("/api/v1/conversations/{conversation_id}", { ...path(id), body: { avatar_file_id } }));
      },
      meta: { silent: true },
      onSuccess: (c: Conversation) => {
        qc.setQueryData(chatKeys.conversation(id), c);
        qc.setQueryData<Conversation[]>(chatKeys.list, (l) => l?.map((x) => (x.id === id ? { ...x, avatar_file_id: c.avatar_file_id } : x)));
        refresh();
      },
    }),
    joinMode: useMutation({
      mutationFn: (join_mode: "open" | "approval" | "off") =>
        call(api.PATCH("/api/v1/conversations/{conversation_id}", { ...path(id), body: { join_mode } })),
      meta: { silent: true },
      onSuccess: (c: Conversation) => {
        qc.setQueryData(chatKeys.conversation(id), c);
        refresh();
      },
    }),
    burn: useMutation({
      mutationFn: (burn_seconds: number) =>
        call(api.PATCH("/api/v1/conversations/{conversation_id}", { ...path(id), body: { burn_seconds } })),
      meta: { silent: true },
      onSuccess: (c: Conversation) => {
        qc.setQueryData(chatKeys.conversation(id), c);
        refresh();
      },
    }),
    add: useMutation({
      mutationFn: (person_ids: number[]) =>
        call(api.POST("/api/v1/conversations/{conversation_id}/members", { ...path(id), body: { person_ids } })),
      ...opts,
    }),
    remove: useMutation({
      mutationFn: (person_id: number) =>
        call(
          api.DELETE("/api/v1/conversations/{conversation_id}/members/{person_id}", {
            params: { path: { conversation_id: id, person_id } },
          }),
        ),
      ...opts,
    }),
    role: useMutation({
      mutationFn: (v: { person_id: number; role: "admin" | "member" | "owner" }) =>
        call(
          api.PUT("/api/v1/conversations/{conversation_id}/members/{person_id}/role", {
            params: { path: { conversation_id: id, person_id: v.person_id } },
            body: { role: v.role },
          }),
        ),
      ...opts,
    }),
    leave: useMutation({
      mutationFn: () => call(api.POST("/api/v1/conversations/{conversation_id}/leave", path(id))),
      meta: { silent: true },
      onSuccess: gone,
    }),
    dissolve: useMutation({
      mutationFn: () => call(api.POST("/api/v1/conversations/{conversation_id}/dissolve", path(id))),
      meta: { silent: true },
      onSuccess: gone,
    }),
  };
}
