import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { renderText } from "./MessageItem";

const html = (text: string) => renderToStaticMarkup(<>{renderText(text)}</>);

describe("a message's text", () => {
  it("makes http(s) links clickable, opening apart from the app", () => {
    const out = html("作业见 https://example.org/hw?id=3，明天交");
    expect(out).toContain('<a href="https://example.org/hw?id=3" target="_blank" rel="noopener noreferrer nofollow"');
    expect(out).toContain("，明天交");
  });

  it("leaves trailing punctuation out of a link and never links other schemes", () => {
    expect(html("see http://a.example/x.")).toContain('href="http://a.example/x"');
    expect(html("javascript:alert(1) and ftp://x.example")).not.toContain("<a");
  });

  it("marks mentions beside links", () => {
    const out = html("@王老师 请看 https://example.org");
    expect(out).toContain('class="bw-chat-mention"');
    expect(out).toContain('href="https://example.org"');
  });
});
