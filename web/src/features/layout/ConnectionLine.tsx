import { useEffect, useState } from "react";
import { useSocketStatus } from "../../realtime";
import { useT } from "../../i18n";

/** Whether the browser says it has a network at all (`navigator.onLine`), kept current. */
export function useOnline(): boolean {
  const [online, set] = useState(() => typeof navigator === "undefined" || navigator.onLine !== false);
  useEffect(() => {
    const on = () => set(navigator.onLine !== false);
    window.addEventListener("online", on);
    window.addEventListener("offline", on);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", on);
    };
  }, []);
  return online;
}

/**
 * True once the tab's socket has been down for a moment (not for the instant it takes to
 * connect or reconnect), false again as soon as it is open.
 */
export function useConnectionDown(grace = 1500): boolean {
  const status = useSocketStatus();
  const [down, setDown] = useState(false);
  useEffect(() => {
    if (status === "open") {
      setDown(false);
      return;
    }
    const timer = setTimeout(() => setDown(true), grace);
    return () => clearTimeout(timer);
  }, [status, grace]);
  return down;
}

/**
 * The line that says the connection is down: "offline" when the browser has no network,
 * "reconnecting" when it has one but the socket is not open. Nothing while connected.
 */
export function ConnectionLine({ testId = "conn-line" }: { testId?: string }) {
  const t = useT();
  const down = useConnectionDown();
  const online = useOnline();
  if (!down && online) return null;
  return (
    <div className="bw-conn-line" data-testid={testId} data-state={online ? "reconnecting" : "offline"} role="status">
      {online ? t("conn.reconnecting") : t("conn.offline")}
    </div>
  );
}
