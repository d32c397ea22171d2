import { useState } from "react";
import { Select, Spin } from "antd";
import { usePeople } from "../../api/hooks";
import { useDebounced } from "../../lib/useDebounced";

/** Pick a person by typing a name, pinyin or phone (searches the directory). */
export function PersonSelect({
  value,
  onChange,
  placeholder,
  exclude,
}: {
  /** null: always empty (a picker that adds the person elsewhere). */
  value?: number | null;
  onChange?: (id: number) => void;
  placeholder?: string;
  exclude?: number[];
}) {
  const [q, setQ] = useState("");
  const query = useDebounced(q.trim(), 250);
  const people = usePeople({ q: query }, 20);
  const items = (people.data?.pages.flatMap((p) => p.items) ?? []).filter((p) => !exclude?.includes(p.id));
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      notFoundContent={people.isFetching ? <Spin size="small" /> : null}
      options={items.map((p) => ({
        value: p.id,
        label: (
          <>
            <bdi>{p.name}</bdi>
            {p.phone ? ` · ${p.phone}` : ""}
            {p.student_number ? <> · <bdi>{p.student_number}</bdi></> : ""}
          </>
        ),
      }))}
    />
  );
}
