/**
 * A notice's Markdown body, rendered with `marked` and sanitised with DOMPurify before it
 * reaches the page: no script, no event handler, no `javascript:` link, no iframe or form; links
 * open in a new tab without the opener. Images may only come from this server's notice files
 * (`/api/v1/notices/files/…`): a notice cannot make its readers' browsers fetch another site.
 */
import { useMemo } from "react";
import { marked } from "marked";
import DOMPurify from "dompurify";

const OWN_FILE = /^\/api\/v1\/notices\/files\/\d+$/;

let hooked = false;
function hook() {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
    if (node.tagName === "IMG") {
      const src = node.getAttribute("src") ?? "";
      if (!OWN_FILE.test(src)) node.removeAttribute("src");
      node.setAttribute("loading", "lazy");
    }
  });
}

export function renderMarkdown(text: string): string {
  hook();
  const html = marked.parse(text, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "iframe", "form", "input", "button", "textarea", "select", "object", "embed"],
    FORBID_ATTR: ["style"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:|\/(?!\/))/i,
  });
}

export function Markdown({ text, testId }: { text: string; testId?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="bw-notice-body" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
