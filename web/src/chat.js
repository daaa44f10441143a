// The conversation: Rasa socket.io protocol, outbox while offline, history, feedback.
//
// Protocol (Rasa 3.6 socket.io channel, see rasa_addons/socketio_channel.py for the real payloads):
//   emit session_request {session_id}  → on session_confirm(session_id)
//   emit user_uttered {message, session_id, metadata}
//   on bot_uttered: {text, quick_replies?: [{title, payload}]}  or  {custom: {askvn: {outcome, entry_id, sources, ...}}}
import { io } from "socket.io-client";
import { INTENTS, normaliseLanguage, t } from "./i18n.js";
import { Store } from "./store.js";
import { View } from "./view.js";

const TYPING_TIMEOUT_MS = 45000;

export class Chat {
  constructor(root, options) {
    this.options = options;
    this.store = new Store(options.server);
    this.sessionId = this.store.sessionId();
    this.items = this.store.history();
    const outbox = this.store.get("outbox");
    this.outbox = Array.isArray(outbox) ? outbox : [];
    // Only a language the user picked (or asked for by typing) is a choice that overrides the message's own
    // language; the page's data-lang or the browser language is just a hint for short, unclear messages.
    this.chosenLanguage = this.store.get("language") || null;
    this.language = this.chosenLanguage || options.language;
    this.confirmed = false;
    this.everConnected = false;
    this.view = new View(root, options, {
      toggle: (open) => this.toggle(open),
      send: (text) => this.send(text, text),
      choose: (button) => this.send(String(button.payload || ""), String(button.title || "")),
      feedback: (item, value) => this.feedback(item, value),
      language: (code) => this.setLanguage(code),
      clear: () => this.clear(),
    });
    this.view.label(this.language);
    this.renderAll();
    const open = this.store.get("open");
    this.view.open(open === null ? options.open : Boolean(open), false);
    this.connect();
  }

  renderAll() {
    this.view.clear();
    this.view.render({ id: "hello", from: "bot", text: t(this.language, "hello") });
    for (const item of this.items) this.view.render(item);
  }

  connect() {
    const url = new URL(this.options.server, window.location.href);
    this.socket = io(url.origin, {
      path: this.options.path,
      // Rasa's Sanic 21.12 websocket transport fails on Python 3.11: long-polling only, no upgrade attempt.
      transports: this.options.transports,
      upgrade: this.options.transports.includes("websocket"),
      reconnectionDelayMax: 5000,
      withCredentials: false,
    });
    this.socket.on("connect", () => {
      this.everConnected = true;
      this.socket.emit("session_request", { session_id: this.sessionId });
    });
    this.socket.on("session_confirm", (id) => {
      if (typeof id === "string" && id && id !== this.sessionId) {
        this.sessionId = id;
        this.store.set("session", id);
      }
      this.confirmed = true;
      this.view.setStatus("");
      this.flush();
    });
    this.socket.on("disconnect", (reason) => {
      this.confirmed = false;
      this.view.setStatus(t(this.language, "reconnecting"));
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.on("connect_error", () => {
      this.confirmed = false;
      this.view.setStatus(t(this.language, "reconnecting"));
    });
    this.socket.on("bot_uttered", (message) => this.receive(message));
  }

  metadata() {
    const meta = { language: this.language, channel: "web" };
    if (this.chosenLanguage) meta.language_choice = this.chosenLanguage;
    if (this.options.audience) meta.audience = this.options.audience;
    return meta;
  }

  /** Send `message` (shown as `display`; hidden when display is empty). Queued until the server is back. */
  send(message, display) {
    if (!message) return;
    const text = message.slice(0, this.options.maxChars);
    if (display) this.add({ from: "user", text: display.slice(0, this.options.maxChars) });
    this.outbox.push({ message: text, metadata: this.metadata() });
    this.store.set("outbox", this.outbox);
    this.waiting(true);
    this.flush();
    this.view.input.focus();
  }

  flush() {
    if (!this.confirmed || !this.socket.connected) {
      if (this.outbox.length && this.everConnected) this.view.setStatus(t(this.language, "reconnecting"));
      return;
    }
    while (this.outbox.length) {
      const next = this.outbox.shift();
      this.socket.emit("user_uttered", { message: next.message, session_id: this.sessionId, metadata: next.metadata });
    }
    this.store.set("outbox", this.outbox);
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    const outcome = message.custom && typeof message.custom === "object" ? message.custom.askvn : null;
    if (outcome && typeof outcome === "object") {
      // The outcome follows its text: attach it to the last bot message that has none yet.
      for (let i = this.items.length - 1; i >= 0; i -= 1) {
        const item = this.items[i];
        if (item.from === "user") break;
        if (!item.meta) {
          item.meta = outcome;
          this.view.render(item);
          this.save();
          break;
        }
      }
      this.waiting(false);
      // "answer in French" typed in the chat: the picker follows, so later messages carry the choice.
      const chosen = outcome.outcome === "language_changed" ? normaliseLanguage(outcome.language) : null;
      if (chosen && chosen !== this.language) this.setLanguage(chosen);
      return;
    }
    if (typeof message.text === "string" && message.text.trim()) {
      const buttons = (message.quick_replies || message.buttons || [])
        .filter((b) => b && typeof b.payload === "string")
        .map((b) => ({ title: String(b.title || b.payload), payload: b.payload }));
      this.add({ from: "bot", text: message.text, buttons });
      this.waiting(false);
    }
  }

  add(fields) {
    const item = { id: `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`, ...fields };
    this.items.push(item);
    this.view.render(item);
    this.save();
    return item;
  }

  save() {
    this.store.saveHistory(this.items);
  }

  feedback(item, value) {
    if (item.feedback || !item.meta || !item.meta.entry_id) return;
    item.feedback = value;
    this.view.render(item);
    this.save();
    this.send(`/${INTENTS.feedback}${JSON.stringify({ entry_id: String(item.meta.entry_id), value })}`, "");
  }

  waiting(on) {
    clearTimeout(this.typingTimer);
    this.view.setTyping(on);
    if (on) this.typingTimer = setTimeout(() => this.view.setTyping(false), TYPING_TIMEOUT_MS);
  }

  /** Open the chat and ask `text` (for pages with their own "ask" buttons). */
  ask(text) {
    this.toggle(true);
    if (text) this.send(String(text), String(text));
  }

  toggle(open) {
    const next = open === undefined ? this.view.panel.hidden : open;
    this.store.set("open", next);
    this.view.open(next, true);
  }

  setLanguage(code) {
    this.chosenLanguage = code;
    this.language = code;
    this.store.set("language", code);
    this.view.label(code);
    this.renderAll();
  }

  clear() {
    this.store.reset();
    this.sessionId = this.store.sessionId();
    this.items = [];
    this.outbox = [];
    this.renderAll();
    if (this.socket.connected) this.socket.emit("session_request", { session_id: this.sessionId });
    this.view.input.focus();
  }
}
