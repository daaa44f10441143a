// The widget's DOM (inside a shadow root): built once, then messages are added or re-rendered by id.
import { LANGUAGES, t } from "./i18n.js";
import { el, link, renderText, safeUrl, stripSourceLines } from "./render.js";

const ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
const ICON_SEND = "M3 20.5 21 12 3 3.5 3 10l12 2-12 2z";
const ICON_CLOSE = "M6 6l12 12M18 6 6 18";
// Thumbs up (down is the same, rotated): drawn here so it shows even where no emoji font is installed.
const ICON_THUMB = "M2 10h4v11H2zM8 21h9.3a2 2 0 0 0 2-1.6l1.5-7.2A2 2 0 0 0 18.8 10H14l.9-4.3A2 2 0 0 0 13 3.3L8 10z";

function icon(path, stroke) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  if (stroke) {
    p.setAttribute("fill", "none");
    p.setAttribute("stroke", "currentColor");
    p.setAttribute("stroke-width", "2.2");
    p.setAttribute("stroke-linecap", "round");
  } else {
    p.setAttribute("fill", "currentColor");
  }
  svg.append(p);
  return svg;
}

export class View {
  constructor(root, options, handlers) {
    this.h = handlers;
    this.options = options;
    this.nodes = new Map();
    this.launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "askvn-panel" },
      icon(ICON_CHAT));
    this.heading = el("h2", { id: "askvn-title" });
    this.select = el("select", { id: "askvn-lang" });
    for (const [code, name] of LANGUAGES) this.select.append(el("option", { value: code, lang: code, text: name }));
    this.langLabel = el("label", { for: "askvn-lang", class: "sr-only" });
    this.clearBtn = el("button", { type: "button", class: "ghost clear" });
    this.closeBtn = el("button", { type: "button", class: "ghost close" }, icon(ICON_CLOSE, true));
    this.status = el("div", { class: "status", role: "status", "aria-live": "polite" });
    this.log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
    this.typing = el("div", { class: "typing", role: "status", hidden: true },
      el("span", { class: "dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")), el("span", { class: "sr-only" }));
    this.input = el("textarea", { id: "askvn-input", rows: "1", maxlength: String(options.maxChars), autocomplete: "off" });
    this.inputLabel = el("label", { for: "askvn-input", class: "sr-only" });
    this.sendBtn = el("button", { type: "submit", class: "send" }, icon(ICON_SEND));
    this.form = el("form", { class: "composer" }, this.inputLabel, this.input, this.sendBtn);
    this.panel = el("section", { class: "panel", id: "askvn-panel", role: "dialog", "aria-labelledby": "askvn-title", hidden: true },
      el("header", {}, this.heading, el("div", { class: "tools" }, this.langLabel, this.select, this.clearBtn, this.closeBtn)),
      this.status, this.log, this.typing, this.form);
    this.frame = el("div", { class: `askvn pos-${options.position}` }, this.panel, this.launcher);
    root.append(this.frame);
    this.bind();
  }

  bind() {
    this.launcher.addEventListener("click", () => this.h.toggle());
    this.closeBtn.addEventListener("click", () => this.h.toggle(false));
    this.clearBtn.addEventListener("click", () => this.h.clear());
    this.select.addEventListener("change", () => this.h.language(this.select.value));
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.h.toggle(false);
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.form.requestSubmit ? this.form.requestSubmit() : this.submit();
      }
    });
    this.input.addEventListener("input", () => this.autosize());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.autosize();
    this.h.send(text);
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }

  /** Every interface label in `language` (the conversation itself keeps the languages it was in). */
  label(language) {
    const title = this.options.title || t(language, "title");
    this.panel.setAttribute("lang", language);
    this.heading.textContent = title;
    this.launcher.setAttribute("aria-label", t(language, "open"));
    this.launcher.title = t(language, "open");
    this.closeBtn.setAttribute("aria-label", t(language, "close"));
    this.closeBtn.title = t(language, "close");
    this.clearBtn.textContent = "↺";
    this.clearBtn.setAttribute("aria-label", t(language, "clear"));
    this.clearBtn.title = t(language, "clear");
    this.langLabel.textContent = t(language, "language");
    this.select.setAttribute("aria-label", t(language, "language"));
    this.select.value = language;
    this.log.setAttribute("aria-label", t(language, "log"));
    this.typing.lastChild.textContent = t(language, "typing");
    this.input.placeholder = t(language, "placeholder");
    this.inputLabel.textContent = t(language, "placeholder");
    this.sendBtn.setAttribute("aria-label", t(language, "send"));
    this.sendBtn.title = t(language, "send");
    this.language = language;
  }

  open(isOpen, focus) {
    this.panel.hidden = !isOpen;
    this.frame.classList.toggle("is-open", isOpen);
    this.launcher.setAttribute("aria-expanded", String(isOpen));
    if (focus) (isOpen ? this.input : this.launcher).focus();
    if (isOpen) this.scroll();
  }

  setStatus(text) {
    this.status.textContent = text || "";
    this.status.hidden = !text;
  }

  setTyping(on) {
    this.typing.hidden = !on;
    if (on) this.scroll();
  }

  scroll() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  clear() {
    this.log.textContent = "";
    this.nodes.clear();
  }

  /** Add or replace the rendered message `item` (see Chat for its shape). */
  render(item) {
    const node = item.from === "user" ? this.userNode(item) : this.botNode(item);
    const old = this.nodes.get(item.id);
    if (old) old.replaceWith(node);
    else this.log.append(node);
    this.nodes.set(item.id, node);
    this.scroll();
  }

  userNode(item) {
    const lang = this.language;
    return el("li", { class: "msg user" }, el("span", { class: "sr-only", text: `${t(lang, "you")}: ` }),
      el("div", { class: "bubble", dir: "auto", text: item.text }));
  }

  botNode(item) {
    const lang = this.language;
    const meta = item.meta || null;
    const answer = meta && meta.outcome === "answer";
    const text = answer ? stripSourceLines(item.text, meta) : item.text;
    const bubble = el("div", { class: "bubble", dir: "auto" }, renderText(text));
    const node = el("li", { class: "msg bot", lang: (meta && meta.answer_language) || undefined },
      el("span", { class: "sr-only", text: `${t(lang, "bot")}: ` }), bubble);
    if (answer) bubble.append(this.answerFooter(item, meta));
    if (item.buttons && item.buttons.length) {
      const group = el("div", { class: "quick", role: "group" });
      for (const b of item.buttons) {
        const btn = el("button", { type: "button", class: "chip", text: String(b.title || "") });
        btn.addEventListener("click", () => this.h.choose(b));
        group.append(btn);
      }
      node.append(group);
    }
    return node;
  }

  answerFooter(item, meta) {
    const lang = this.language;
    const footer = el("div", { class: "meta" });
    for (const source of (meta.sources || []).slice(0, 3)) {
      const href = safeUrl(source.url);
      if (!href) continue;
      footer.append(el("div", { class: "source" }, document.createTextNode(`${t(lang, "source")}: `),
        link(href, String(source.name || href))));
    }
    if (meta.reviewed) footer.append(el("div", { class: "reviewed", text: `${t(lang, "reviewed")}: ${meta.reviewed}` }));
    if (meta.entry_id) {
      const group = el("div", { class: "feedback", role: "group", "aria-label": t(lang, "helpful") },
        el("span", { class: "ask", text: t(lang, "helpful") }));
      const votes = el("span", { class: "votes" });
      for (const value of ["up", "down"]) {
        const pressed = item.feedback === value;
        const btn = el("button", { type: "button", class: `vote ${value}`, "aria-label": t(lang, value), title: t(lang, value),
          "aria-pressed": String(pressed), disabled: Boolean(item.feedback) }, icon(ICON_THUMB));
        btn.addEventListener("click", () => this.h.feedback(item, value));
        votes.append(btn);
      }
      group.append(votes);
      if (item.feedback) group.append(el("span", { class: "thanks", text: t(lang, "thanks") }));
      footer.append(group);
    }
    return footer;
  }
}
