import { useEffect, useMemo, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useMe } from "../api/hooks";
import { acquireChatSync, chatSync, ChatSync, releaseChatSync } from "./chatSync";
import type { SocketStatus } from "./socket";

export { chatKeys, ChatSync } from "./chatSync";
export type { History } from "./history";

function getOrCreate(qc: ReturnType<typeof useQueryClient>, me: number): ChatSync {
  const cur = chatSync();
  if (cur && cur.qc === qc) return cur;
  return acquireAndRelease(qc, me);
}

function acquireAndRelease(qc: ReturnType<typeof useQueryClient>, me: number): ChatSync {
  // Creates the tab's dispatcher without keeping a reference: the effect below holds it.
  const s = acquireChatSync(qc, me);
  releaseChatSync(s);
  return s;
}

/** The tab's chat dispatcher (one socket), kept open while any component uses it. */
export function useChatSync(): ChatSync | null {
  const qc = useQueryClient();
  const me = useMe().data?.id;
  const sync = useMemo(() => (me != null ? getOrCreate(qc, me) : null), [qc, me]);
  useEffect(() => {
    if (me == null) return;
    const s = acquireChatSync(qc, me);
    return () => releaseChatSync(s);
  }, [qc, me]);
  return sync;
}

export function useSocketStatus(sync: ChatSync | null): SocketStatus {
  const [s, set] = useState<SocketStatus>(sync?.status ?? "closed");
  useEffect(() => {
    if (!sync) return;
    set(sync.status);
    return sync.onStatus(set);
  }, [sync]);
  return s;
}
