// Persistence across reloads and pages: Rasa's socket.io channel keeps the tracker for a session id but
// does not replay history, so the widget keeps its own session id and rendered history in localStorage.

const MAX_ITEMS = 200;

function storage() {
  try {
    const s = window.localStorage;
    s.setItem("askvn:probe", "1");
    s.removeItem("askvn:probe");
    return s;
  } catch (_) {
    return null; // private mode or blocked storage: the chat still works, without persistence
  }
}

function newId() {
  const bytes = new Uint8Array(16);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Store {
  /** One namespace per Rasa server, so two widgets for different servers never mix. */
  constructor(server) {
    this.s = storage();
    this.prefix = `askvn:${server}:`;
    this.memory = {};
  }

  get(key) {
    const raw = this.s ? this.s.getItem(this.prefix + key) : this.memory[key];
    if (raw === null || raw === undefined) return null;
    try {
      return JSON.parse(raw);
    } catch (_) {
      return null;
    }
  }

  set(key, value) {
    const raw = JSON.stringify(value);
    try {
      if (this.s) this.s.setItem(this.prefix + key, raw);
      else this.memory[key] = raw;
    } catch (_) {
      // quota exceeded: keep going without persistence
    }
  }

  sessionId() {
    let id = this.get("session");
    if (typeof id !== "string" || !/^[0-9a-f]{16,64}$/.test(id)) {
      id = newId();
      this.set("session", id);
    }
    return id;
  }

  history() {
    const items = this.get("history");
    return Array.isArray(items) ? items : [];
  }

  saveHistory(items) {
    this.set("history", items.slice(-MAX_ITEMS));
  }

  /** Forget the conversation: a new session id and an empty history. */
  reset() {
    this.set("session", newId());
    this.set("history", []);
    this.set("outbox", []);
  }
}
