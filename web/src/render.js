// Safe rendering: every piece of bot or user text becomes a DOM text node. No innerHTML anywhere.
// Supported Markdown subset: paragraphs, "- "/"* "/"1. " lists, **bold**, [text](http/https link) and bare URLs.

const INLINE = /\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"')\]]+)/g;

/** The URL if it is http(s), else null: javascript:, data: and relative links are never rendered as links. */
export function safeUrl(raw) {
  try {
    const url = new URL(String(raw));
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function link(href, label) {
  return el("a", { href, target: "_blank", rel: "noopener noreferrer", text: label });
}

function appendInline(parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const [whole, bold, label, href, bare] = match;
    if (bold !== undefined) {
      parent.append(el("strong", { text: bold }));
    } else if (label !== undefined) {
      const url = safeUrl(href);
      parent.append(url ? link(url, label) : document.createTextNode(whole));
    } else {
      const trimmed = bare.replace(/[.,;:!?]+$/, "");
      const url = safeUrl(trimmed);
      parent.append(url ? link(url, trimmed) : document.createTextNode(trimmed));
      parent.append(document.createTextNode(bare.slice(trimmed.length)));
    }
    last = match.index + whole.length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** A fragment for `text` using the Markdown subset above; unknown syntax stays literal text. */
export function renderText(text) {
  const fragment = document.createDocumentFragment();
  const blocks = String(text || "").replace(/\r\n?/g, "\n").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n").filter((line) => line.trim() !== "");
    let i = 0;
    while (i < lines.length) {
      const kind = BULLET.test(lines[i]) ? "ul" : NUMBERED.test(lines[i]) ? "ol" : null;
      if (kind) {
        const list = el(kind);
        const pattern = kind === "ul" ? BULLET : NUMBERED;
        while (i < lines.length && pattern.test(lines[i])) {
          const item = el("li");
          appendInline(item, lines[i].match(pattern)[1]);
          list.append(item);
          i += 1;
        }
        fragment.append(list);
      } else {
        const para = el("p");
        while (i < lines.length && !BULLET.test(lines[i]) && !NUMBERED.test(lines[i])) {
          if (para.childNodes.length) para.append(el("br"));
          appendInline(para, lines[i]);
          i += 1;
        }
        fragment.append(para);
      }
    }
  }
  return fragment;
}

/**
 * The answer text without its trailing "Source: … — url" / "Reviewed: date" lines, when the structured
 * outcome carries them (shown from data instead). Matched by the URL and the date, not by the localised
 * labels, so a relabelled or new language still strips correctly and unrelated text is never removed.
 */
export function stripSourceLines(text, outcome) {
  const urls = (outcome.sources || []).map((s) => String(s.url || "")).filter(Boolean);
  const reviewed = outcome.reviewed ? String(outcome.reviewed) : null;
  if (!urls.length && !reviewed) return text;
  const lines = String(text).replace(/\s+$/, "").split("\n");
  while (lines.length > 1) {
    const line = lines[lines.length - 1];
    const isSource = urls.some((url) => line.includes(url));
    const isReviewed = reviewed && line.includes(reviewed) && line.length < reviewed.length + 40;
    if (!isSource && !isReviewed && line.trim() !== "") break;
    lines.pop();
  }
  return lines.join("\n");
}
