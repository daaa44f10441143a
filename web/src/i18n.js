// The widget's vocabulary, generated at build time from the one place each part is defined
// (`make web` runs bot/web/widget_strings.py): labels from knowledge/messages/messages.yaml
// (`widget_*` keys), language names, audiences, the message size limit and the button intents.
import VOCABULARY from "./strings.generated.json";

/** [[code, native name], …] in the order the picker shows them. */
export const LANGUAGES = VOCABULARY.languages;
/** Who a site's visitors can be (`data-audience`). */
export const AUDIENCES = VOCABULARY.audiences;
/** The server's limit on one message, in characters. */
export const MAX_CHARS = VOCABULARY.maxChars;
/** Intents the widget's buttons send as payloads. */
export const INTENTS = VOCABULARY.intents;
const T = VOCABULARY.texts;

const CODES = LANGUAGES.map(([code]) => code);

/** One of the ten codes from a BCP 47 tag ("fr-CA" → "fr", "zh-Hant" → "zh"), or null. */
export function normaliseLanguage(tag) {
  if (!tag || typeof tag !== "string") return null;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  return CODES.includes(base) ? base : null;
}

/** The widget's label `key` in `language`, English when missing. */
export function t(language, key) {
  return (T[language] && T[language][key]) || T.en[key] || key;
}
