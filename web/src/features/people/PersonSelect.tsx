import { useState, type ReactNode } from "react";
import { Select, Spin } from "antd";
import { usePeople } from "../../api/hooks";
import { useDebounced } from "../../lib/useDebounced";

/** Pick a person by typing a name, pinyin or phone (searches the directory). */
export function PersonSelect({
  value,
  onChange,
  onPick,
  onClear,
  placeholder,
  exclude,
  includeInactive,
  id,
  "data-testid": testId,
}: {
  /** null: always empty (a picker that adds the person elsewhere). */
  value?: number | null;
  onChange?: (id: number) => void;
  /** The person picked, with their name (for a picker that lists them elsewhere). */
  onPick?: (person: { id: number; name: string }) => void;
  /** Offered with a clear button when given. */
  onClear?: () => void;
  placeholder?: string;
  exclude?: number[];
  /** Deactivated people too (who did something in the past, say). */
  includeInactive?: boolean;
  id?: string;
  "data-testid"?: string;
}) {
  const [q, setQ] = useState("");
  const query = useDebounced(q.trim(), 250);
  const people = usePeople({ q: query, includeInactive }, 20);
  const items = (people.data?.pages.flatMap((p) => p.items) ?? []).filter((p) => !exclude?.includes(p.id));
  // The chosen one keeps its name once a new search no longer lists them.
  const [chosen, setChosen] = useState<{ value: number; label: ReactNode } | null>(null);
  const options: { value: number; label: ReactNode }[] = items.map((p) => ({
    value: p.id,
    label: (
      <>
        <bdi>{p.name}</bdi>
        {p.phone ? ` · ${p.phone}` : ""}
        {p.student_number ? <> · <bdi>{p.student_number}</bdi></> : ""}
      </>
    ),
  }));
  if (value != null && chosen?.value === value && !options.some((o) => o.value === value)) options.unshift(chosen);
  return (
    <Select
      id={id}
      data-testid={testId}
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={(v: number | undefined) => {
        if (v == null) {
          onClear?.();
          return;
        }
        setChosen(options.find((o) => o.value === v) ?? null);
        onChange?.(v);
        const picked = items.find((p) => p.id === v);
        if (picked) onPick?.({ id: picked.id, name: picked.name });
      }}
      allowClear={!!onClear}
      placeholder={placeholder}
      notFoundContent={people.isFetching ? <Spin size="small" /> : null}
      options={options}
    />
  );
}
