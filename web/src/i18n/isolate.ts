/**
 * User text inside the interface's own text. A name, a file name or a message may be written in
 * a right-to-left script (Arabic, Hebrew) or carry bidi controls; put beside our words unguarded
 * it can reorder them ("王老师 邀请了 سارة 2 加入群聊" would show its parts in the wrong places).
 * Every such text is isolated: on screen inside a `<bdi>` (which the browser gives
 * `unicode-bidi: isolate` and `dir="auto"`), so it takes its own direction and leaves ours alone.
 *
 * `useTn()` is `useT()` for sentences that carry user text: each string put into the sentence is
 * isolated; numbers are not; a React node (already isolated, or a nested sentence) goes in as it is.
 */
import { createElement, Fragment, useCallback, type ReactNode } from "react";
import { useI18n, type MessageKey } from "./index";

export type TNodes = (key: MessageKey, params?: Record<string, ReactNode>) => ReactNode;

/** One piece of user text, isolated from what surrounds it. */
export function bdi(text: string | null | undefined): ReactNode {
  return text ? createElement("bdi", null, text) : (text ?? null);
}

/** User texts in a row with a separator of ours between them: a path "学校 / 年级 / 班级". */
export function joinIsolated(parts: readonly string[], separator: string): ReactNode {
  return createElement(Fragment, null, ...parts.flatMap((p, i) => (i ? [separator, bdi(p)] : [bdi(p)])));
}

/** `{name}` interpolation into React nodes, each string parameter isolated (see above). */
export function formatNodes(template: string, params?: Record<string, ReactNode>): ReactNode {
  if (!params) return template;
  const parts = template.split(/\{(\w+)\}/g);
  const children = parts.map((part, i) => {
    if (i % 2 === 0) return part;
    if (!(part in params)) return `{${part}}`;
    const v = params[part];
    return typeof v === "string" ? bdi(v) : typeof v === "number" ? String(v) : v;
  });
  return createElement(Fragment, null, ...children.filter((c) => c !== ""));
}

export function useTn(): TNodes {
  const { t } = useI18n();
  // Without parameters t() answers the message as written, placeholders included.
  return useCallback<TNodes>((key, params) => formatNodes(t(key), params), [t]);
}
