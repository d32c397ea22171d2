import { useCallback } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router-dom";

const UNIT_PAGES = ["/directory", "/units"];

/** The selected unit lives in the URL (`?unit=ID`) so reloads and links keep it. */
export function useSelectedUnit(): [number | null, (id: number | null) => void] {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const raw = params.get("unit");
  const id = raw && /^\d+$/.test(raw) ? Number(raw) : null;
  const select = useCallback(
    (next: number | null) => {
      const path = UNIT_PAGES.includes(location.pathname) ? location.pathname : "/directory";
      const p = new URLSearchParams();
      const sub = params.get("sub");
      if (sub) p.set("sub", sub);
      if (next != null) p.set("unit", String(next));
      const qs = p.toString();
      navigate(qs ? `${path}?${qs}` : path);
    },
    [location.pathname, navigate, params],
  );
  return [id, select];
}
