/**
 * The one error handler: every failed query or mutation shows the server's (already translated)
 * `title`, unless the mutation says `meta: { silent: true }` because its form shows the error itself.
 * A 401 sends the user to /login; `password_change_required` re-reads /me so the forced screen shows.
 */
import { App } from "antd";
import { useEffect } from "react";
import { useNavigate, useLocation } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError, onAuthProblem } from "../api/http";
import type { TFunction } from "../i18n";
import { clearDrafts } from "../features/chat/drafts";
import { clearOutbox } from "../features/chat/outbox";

type Notify = (text: string) => void;
let notify: Notify = () => {};

export function errorText(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("common.networkError");
    return err.problem.title;
  }
  return t("common.networkError");
}

let translate: TFunction | null = null;

export function reportError(err: unknown) {
  if (err instanceof ApiError && (err.status === 401 || err.code === "password_change_required")) return;
  notify(translate ? errorText(err, translate) : String(err));
}

/** Mounted once inside antd's <App> and the router. */
export function ErrorBridge({ t }: { t: TFunction }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  useEffect(() => {
    translate = t;
    notify = (text) => void message.error(text);
  }, [message, t]);
  useEffect(
    () =>
      onAuthProblem((err) => {
        if (err.status === 401) {
          // The session ended (here, elsewhere, or it expired): as at a logout, nothing of the
          // person's unsent drafts or messages stays in this browser.
          clearDrafts();
          void clearOutbox();
          qc.setQueryData(["me"], null);
          if (location.pathname !== "/login") {
            const next = location.pathname + location.search;
            navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
          }
        } else {
          void qc.invalidateQueries({ queryKey: ["me"] });
        }
      }),
    [qc, navigate, location],
  );
  return null;
}

/** Field errors of a 422 problem, shaped for antd Form.setFields. */
export function fieldErrors(err: unknown): { name: string; errors: string[] }[] {
  if (!(err instanceof ApiError) || !err.problem.errors) return [];
  return err.problem.errors
    .filter((e) => e.field)
    .map((e) => ({ name: String(e.field), errors: [e.message || err.problem.title] }));
}
