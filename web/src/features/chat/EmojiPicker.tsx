import { useRef, useState, type KeyboardEvent } from "react";
import { Button, Popover, Tooltip } from "antd";
import { SmileOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import { ALL_EMOJI, EMOJI_GROUPS, gridMove } from "./emoji";

/** Ten a row: every group (40 or 20 emoji) fills whole rows, so up and down stay in a column. */
const COLUMNS = 10;

/**
 * The composer's emoji button: a popover grid of common emoji. A click (or Enter) on one
 * inserts it at the caret and leaves the popover open for the next; Escape, or a click
 * elsewhere, closes it. Keyboard: the arrow keys, Home and End move through the grid (one
 * button in the tab order, roving tabindex), Tab leaves it.
 */
export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const cells = useRef<(HTMLButtonElement | null)[]>([]);
  const trigger = useRef<HTMLButtonElement>(null);

  const focusCell = (i: number) => {
    setActive(i);
    cells.current[i]?.focus();
  };
  const show = (v: boolean) => {
    setOpen(v);
    if (v) requestAnimationFrame(() => cells.current[active]?.focus());
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      show(false);
      trigger.current?.focus();
      return;
    }
    const next = gridMove(e.key, active, ALL_EMOJI.length, COLUMNS);
    if (next != null) {
      e.preventDefault();
      focusCell(next);
    }
  };

  let index = 0;
  const grid = (
    <div className="bw-emoji" role="dialog" aria-label={t("emoji.title")} onKeyDown={onKey} data-testid="emoji-picker">
      {EMOJI_GROUPS.map((g) => (
        <div key={g.key} role="group" aria-label={t(g.label)}>
          <div className="bw-emoji-group">{t(g.label)}</div>
          <div className="bw-emoji-grid" style={{ gridTemplateColumns: `repeat(${COLUMNS}, minmax(0, 1fr))` }}>
            {g.emoji.map((e) => {
              const i = index++;
              return (
                <button
                  key={e}
                  type="button"
                  ref={(el) => {
                    cells.current[i] = el;
                  }}
                  className="bw-emoji-cell"
                  tabIndex={i === active ? 0 : -1}
                  aria-label={e}
                  data-testid="emoji-cell"
                  onFocus={() => setActive(i)}
                  // Keep the text box's caret where it is (a mouse-down would not move it anyway:
                  // these are buttons in a popover, but a phone's tap may blur the box first).
                  onMouseDown={(ev) => ev.preventDefault()}
                  onClick={() => {
                    setActive(i);
                    onPick(e);
                  }}
                >
                  {e}
                </button>
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );

  return (
    <Popover content={grid} trigger="click" open={open} onOpenChange={show} placement="topLeft" arrow={false} destroyOnHidden>
      <Tooltip title={open ? undefined : t("emoji.open")}>
        <Button
          ref={trigger}
          type="text"
          icon={<SmileOutlined />}
          aria-label={t("emoji.open")}
          aria-haspopup="dialog"
          aria-expanded={open}
          data-testid="chat-emoji"
        />
      </Tooltip>
    </Popover>
  );
}
