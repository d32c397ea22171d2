/**
 * The emoji picker's set: about a hundred common Unicode emoji in five groups, chosen for what a
 * school or a workplace says in chat (thanks, OK, well done, a reminder). Plain Unicode, no
 * images: every phone and computer draws them with its own emoji font. Each is a single
 * code point or a sequence every current system knows (no skin tones: they would multiply the
 * grid without saying more).
 */
import type { MessageKey } from "../../i18n";

export interface EmojiGroup {
  key: string;
  label: MessageKey;
  emoji: string[];
}

const split = (s: string) => s.split(" ").filter(Boolean);

export const EMOJI_GROUPS: EmojiGroup[] = [
  {
    key: "smileys",
    label: "emoji.smileys",
    emoji: split(
      "😀 😁 😂 🤣 😊 😇 🙂 😉 😍 🥰 😘 😋 😎 🤩 🥳 🤔 🤗 🤭 😏 😌 😴 😅 😳 😮 😲 😢 😭 😤 😡 😱 😓 😷 🤒 🥺 🙄 😬 🤐 😶 🥱 🤪",
    ),
  },
  {
    key: "gestures",
    label: "emoji.gestures",
    emoji: split("👍 👎 👌 ✌️ 🤞 👏 🙌 🙏 🤝 💪 👋 ✋ 👉 👆 ☝️ 🙆 🙋 🙇 🤷 🏃"),
  },
  {
    key: "hearts",
    label: "emoji.hearts",
    emoji: split("❤️ 🧡 💛 💚 💙 💜 💔 💯 ✅ ❌ ❗ ❓ ⭐ 🌟 ✨ 🔥 💥 💤 🎵 🆗"),
  },
  {
    key: "school",
    label: "emoji.school",
    emoji: split("📚 📖 ✏️ 📝 📎 📌 📅 ⏰ 🔔 📢 💡 🏫 🎓 🏆 🥇 🎉 🎁 🎈 📷 💻"),
  },
  {
    key: "nature",
    label: "emoji.nature",
    emoji: split("☀️ 🌤️ 🌧️ ❄️ 🌈 🌸 🌹 🌻 🍀 🍎 🍉 🍰 🍵 ☕ 🍚 🐶 🐱 🐼 🚗 🚌"),
  },
];

/** Every emoji of the picker, in order (its keyboard navigation runs through them all). */
export const ALL_EMOJI: string[] = EMOJI_GROUPS.flatMap((g) => g.emoji);

/**
 * `insert` put into `text` in place of the selection [start, end) (the caret when they are
 * equal); answers the new text and where the caret goes: right after what was inserted.
 * Positions out of range (a stale selection) are clamped to the text.
 */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), caret: a + insert.length };
}

/**
 * Where the arrow keys move in a grid of `count` cells `columns` wide: left/right step through
 * the cells (wrapping from one row to the next), up/down move a row, Home/End go to the first
 * and last. Answers the cell to focus, or null for a key the grid does not handle.
 */
export function gridMove(key: string, index: number, count: number, columns: number): number | null {
  const last = count - 1;
  switch (key) {
    case "ArrowRight":
      return Math.min(last, index + 1);
    case "ArrowLeft":
      return Math.max(0, index - 1);
    case "ArrowDown":
      return index + columns <= last ? index + columns : index;
    case "ArrowUp":
      return index - columns >= 0 ? index - columns : index;
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}
