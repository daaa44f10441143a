// Ask Vietnam web chat. Embed with one tag:
//   <script src="https://example.org/askvn-chat.js" data-server="https://chat.example.org"
//           data-lang="fr" data-title="Ask Vietnam" data-accent="#c8102e" data-position="bottom-right"
//           data-audience="investor" defer></script>
// data-audience (tourist | investor | resident | student | general): who the site's visitors are; the
// assistant ranks entries written for them first.
// The widget lives in a shadow root, so the host page's CSS and the widget's never mix.
import { Chat } from "./chat.js";
import { AUDIENCES, MAX_CHARS, normaliseLanguage } from "./i18n.js";
import css from "./styles.css";

function optionsFrom(script) {
  const data = (script && script.dataset) || {};
  const browser = (navigator.languages || [navigator.language]).map(normaliseLanguage).find(Boolean);
  const position = data.position === "bottom-left" ? "bottom-left" : "bottom-right";
  const transports = String(data.transports || "polling").split(/[\s,]+/).filter((x) => x === "polling" || x === "websocket");
  return {
    server: data.server || `${window.location.protocol}//${window.location.hostname}:5005`,
    path: data.path || "/socket.io",
    language: normaliseLanguage(data.lang) || browser || "en",
    title: data.title ? String(data.title).slice(0, 60) : "",
    accent: data.accent || "",
    position,
    open: data.open === "true",
    maxChars: Number(data.maxChars) > 0 ? Number(data.maxChars) : MAX_CHARS,
    transports: transports.length ? transports : ["polling"],
    audience: AUDIENCES.includes(String(data.audience || "").toLowerCase()) ? String(data.audience).toLowerCase() : "",
  };
}

function adoptStyles(shadow) {
  if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet === "function") {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css); // constructed sheets are not inline styles: they pass a strict style-src CSP
      shadow.adoptedStyleSheets = [sheet];
      return;
    } catch (_) {
      // fall through to a <style> element
    }
  }
  const style = document.createElement("style");
  style.textContent = css;
  shadow.append(style);
}

function mount(script) {
  const options = optionsFrom(script);
  const host = document.createElement("div");
  host.id = "askvn-chat";
  if (options.accent && window.CSS && CSS.supports("color", options.accent)) {
    host.style.setProperty("--askvn-accent", options.accent);
  }
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  adoptStyles(shadow);
  const chat = new Chat(shadow, options);
  window.AskVietnamChat = chat;
  return chat;
}

const current = document.currentScript;
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(current));
else mount(current);
