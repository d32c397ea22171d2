/** Chat's live part: its handlers on the tab's real-time service, and the caches they write. */
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useMe } from "../../../api/hooks";
import { useRealtime } from "../../../realtime";
import { chatSyncFor, type ChatSync } from "./sync";

export { chatKeys, ChatSync } from "./sync";
export type { History } from "./history";

/** Chat's handlers for this page's query cache, the tab's socket held open while in use. */
export function useChatSync(): ChatSync | null {
  const qc = useQueryClient();
  const rt = useRealtime();
  const me = useMe().data?.id;
  // Registered while rendering, before the effect that opens the socket: no hello is missed.
  return useMemo(() => (rt && me != null ? chatSyncFor(qc, me, rt) : null), [qc, me, rt]);
}
