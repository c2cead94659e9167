// Text into the page, safely: only text nodes and, for the bot's messages, links whose scheme is
// https:, mailto: or tel:. Nothing is ever parsed as HTML.

const ALLOWED_SCHEMES = new Set(["https:", "mailto:", "tel:"]);
// https URLs and e-mail addresses. Trailing punctuation is trimmed from the match below.
const LINK = /https:\/\/[^\s<>"'“”‘’（）()，。、；：！？]+|mailto:[^\s<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The href for a matched piece of text, or null when it must stay plain text. */
export function safeHref(raw) {
  const candidate = /^(https:|mailto:)/i.test(raw) ? raw : `mailto:${raw}`;
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  return ALLOWED_SCHEMES.has(url.protocol) ? url.href : null;
}

/** Appends `text` to `parent` as text nodes (and, when `links` is set, safe links). */
export function appendText(parent, text, { links = false } = {}) {
  if (!links) {
    parent.append(document.createTextNode(text));
    return;
  }
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const raw = match[0].replace(TRAILING, "");
    const href = raw ? safeHref(raw) : null;
    if (!href) continue;
    if (match.index > last) parent.append(document.createTextNode(text.slice(last, match.index)));
    const a = document.createElement("a");
    a.href = href;
    a.textContent = raw;
    a.rel = "noopener noreferrer";
    if (href.startsWith("https:")) a.target = "_blank";
    parent.append(a);
    last = match.index + raw.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}
