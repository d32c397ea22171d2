/**
 * React's way into the tab's real-time service (`service.ts`): `useRealtime` keeps the socket
 * open while a logged-in page uses it, `useSubscription` follows topics while a screen shows
 * them, `useEvent` handles one event type while a component is mounted, `useSocketStatus` shows
 * the connection. An area with a dispatcher of its own (chat) registers on `realtime.events`.
 */
import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useMe } from "../api/hooks";
import type { Handler } from "./dispatcher";
import type { EventType } from "./protocol";
import { realtime, type Realtime } from "./service";
import type { SocketStatus } from "./socket";

export { realtime, Realtime } from "./service";
export type { Handlers, Handler } from "./dispatcher";
export type { ClientFrame, EventOf, EventType, ServerEvent } from "./protocol";
export type { SocketStatus } from "./socket";
export type { Subscription, SubscribeOptions } from "./subscriptions";

/** The tab's service once someone is logged in (null before), its socket held open meanwhile. */
export function useRealtime(): Realtime | null {
  const qc = useQueryClient();
  const me = useMe().data?.id;
  useEffect(() => {
    if (me == null) return;
    // Refused or closed by the server for its session (logged out elsewhere, account
    // deactivated): ask who we are, which sends the page to the login when no one.
    realtime.onAuthLost = () => void qc.invalidateQueries({ queryKey: ["me"] });
    return realtime.acquire();
  }, [qc, me]);
  return me != null ? realtime : null;
}

export function useSocketStatus(): SocketStatus {
  const [s, set] = useState<SocketStatus>(realtime.status);
  useEffect(() => {
    set(realtime.status);
    return realtime.onStatus(set);
  }, []);
  return s;
}

export interface TopicState {
  granted: string[];
  refused: string[];
}

/**
 * Follows `topics` while mounted (and logged in); `onSubscribed` runs on every (re)subscription,
 * the moment to refetch what the screen shows. Returns which topics are granted and refused.
 */
export function useSubscription(topics: readonly string[], onSubscribed?: (topics: string[]) => void): TopicState {
  const rt = useRealtime();
  const [state, setState] = useState<TopicState>({ granted: [], refused: [] });
  const cb = useRef(onSubscribed);
  cb.current = onSubscribed;
  const key = topics.join(",");
  useEffect(() => {
    if (!rt || !key) return;
    const sub = rt.subscribe(key.split(","), {
      onSubscribed: (ts) => {
        setState({ granted: [...sub.granted], refused: [...sub.refused] });
        cb.current?.(ts);
      },
      onRefused: () => setState({ granted: [...sub.granted], refused: [...sub.refused] }),
    });
    setState({ granted: [...sub.granted], refused: [...sub.refused] });
    return () => sub.close();
  }, [rt, key]);
  return state;
}

/** Handles one event type while mounted (the handler may change between renders). */
export function useEvent<T extends EventType>(type: T, handler: Handler<T>): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => realtime.events.on(type, (ev) => ref.current(ev)), [type]);
}
