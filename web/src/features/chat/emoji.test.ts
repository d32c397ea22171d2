import { describe, expect, it } from "vitest";
import { ALL_EMOJI, EMOJI_GROUPS, gridMove, insertAt } from "./emoji";

describe("emoji picker", () => {
  it("inserts at the caret, in place of a selection, and puts the caret after it", () => {
    expect(insertAt("你好世界", 2, 2, "👍")).toEqual({ text: "你好👍世界", caret: 4 });
    expect(insertAt("hello world", 6, 11, "🎉")).toEqual({ text: "hello 🎉", caret: 8 });
    expect(insertAt("", 0, 0, "😀")).toEqual({ text: "😀", caret: 2 });
    // A stale selection past the end (the text changed meanwhile): at the end.
    expect(insertAt("ab", 9, 12, "✅")).toEqual({ text: "ab✅", caret: 3 });
  });

  it("has a well-sized set of distinct emoji whose groups fill whole rows of ten", () => {
    expect(ALL_EMOJI.length).toBeGreaterThanOrEqual(80);
    expect(ALL_EMOJI.length).toBeLessThanOrEqual(120);
    expect(new Set(ALL_EMOJI).size).toBe(ALL_EMOJI.length);
    for (const g of EMOJI_GROUPS) expect(g.emoji.length % 10, g.key).toBe(0);
  });

  it("moves through the grid with the arrow keys, Home and End", () => {
    expect(gridMove("ArrowRight", 9, 100, 10)).toBe(10); // wraps to the next row
    expect(gridMove("ArrowLeft", 0, 100, 10)).toBe(0);
    expect(gridMove("ArrowDown", 3, 100, 10)).toBe(13);
    expect(gridMove("ArrowDown", 95, 100, 10)).toBe(95); // no row below
    expect(gridMove("ArrowUp", 13, 100, 10)).toBe(3);
    expect(gridMove("ArrowUp", 3, 100, 10)).toBe(3);
    expect(gridMove("End", 3, 100, 10)).toBe(99);
    expect(gridMove("Home", 42, 100, 10)).toBe(0);
    expect(gridMove("a", 42, 100, 10)).toBeNull();
  });
});
