// The patient and guardian chat page: talks to Rasa's socket.io channel on this page's own origin
// (the web server relays /socket.io/ to Rasa). Everything is rendered with textContent.
// The conversation is the one the page server's session cookie names (HttpOnly: this script never
// sees it, nor the conversation id); POST /session gets or renews it, POST /resume swaps it for
// the conversation a resume code names. The page only knows a tag, to match its saved transcript.
import { io } from "socket.io-client";
import { LANGUAGES, STRINGS, pickLanguage } from "./i18n.js";
import { appendText } from "./render.js";

const USER_EVENT = "user_uttered"; // credentials.yml: socketio.user_message_evt
const BOT_EVENT = "bot_uttered"; // credentials.yml: socketio.bot_message_evt
const MAX_LENGTH = 2000;
const QUIET_MS = 450; // a reply is complete when no further bot message arrives for this long
const SLOW_MS = 30000;
// New choices ignore taps for this long: a second tap on "Yes" must not answer the next question
// before it could be read. Shorter than QUIET_MS, so a deliberate tap once the reply is complete counts.
const SETTLE_MS = 400;
const KEY_OLD_SESSION = "prescreen.session"; // localStorage: the conversation id pages before sessions kept
const KEY_LANGUAGE = "prescreen.language"; // localStorage: the language chosen on this device
const KEY_TRANSCRIPT = "prescreen.transcript"; // sessionStorage: what this tab has shown
const MAX_ITEMS = 400;

const $ = (id) => document.getElementById(id);
const els = {
  language: $("language"),
  notice: $("notice"),
  noticeContinue: $("notice-continue"),
  status: $("status"),
  log: $("log"),
  typing: $("typing"),
  replies: $("quick-replies"),
  composer: $("composer"),
  input: $("message"),
  charCount: $("char-count"),
  startOver: $("start-over"),
  talkToPerson: $("talk-to-person"),
  forget: $("forget"),
  handoff: $("handoff-state"),
  resume: $("resume"),
  resumeForm: $("resume-form"),
  resumeCode: $("resume-code"),
  resumeSubmit: $("resume-submit"),
  resumeStatus: $("resume-status"),
};

// ---------------------------------------------------------------- storage (never fatal)
function readStore(store, key) {
  try {
    return window[store].getItem(key);
  } catch {
    return null;
  }
}
function writeStore(store, key, value) {
  try {
    if (value === null) window[store].removeItem(key);
    else window[store].setItem(key, value);
  } catch {
    /* storage disabled or full: the page still works, it just forgets on reload */
  }
}

function loadTranscript(tag) {
  try {
    const saved = JSON.parse(readStore("sessionStorage", KEY_TRANSCRIPT) || "null");
    if (!saved || saved.v !== 2 || !Array.isArray(saved.items)) return null;
    if (!tag || saved.tag !== tag) return null; // a different conversation
    const items = saved.items
      .filter((it) => it && (it.who === "bot" || it.who === "user") && typeof it.text === "string")
      .map((it) => ({ who: it.who, text: it.hidden === true ? "" : it.text, hidden: it.hidden === true,
                      replies: cleanReplies(it.replies) }));
    return { started: saved.started === true, contactStep: saved.contactStep === true, items };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- state
const state = {
  language: null,
  tag: null, // names this browser's conversation for the saved transcript; not a credential
  retentionDays: 30, // how long conversations are kept; the page server says
  started: false,
  items: [],
  replies: [],
  sessionReady: false,
  outbox: [],
  waiting: false,
  answeredWithButton: false,
  forgetFrom: null, // while deleting: where the bot's confirmation starts in `items`
  contactStep: false, // in the hand-off: what is said now is not kept in the browser's storage
  handoff: null, // what became of the hand-off, from the server: {state, reference}
  replay: false, // ask the server to say its last message again (reloaded in the hand-off)
};

/** Keeps this tab's conversation for a reload; what was said during the hand-off (names, phone
 * numbers, e-mail addresses, and the summary that repeats them) is kept only as "hidden". */
function saveTranscript() {
  const items = state.items
    .slice(-MAX_ITEMS)
    .map((item) => (item.hidden ? { who: item.who, text: "", hidden: true, replies: item.replies } : item));
  writeStore(
    "sessionStorage",
    KEY_TRANSCRIPT,
    JSON.stringify({ v: 2, tag: state.tag, started: state.started, contactStep: state.contactStep, items }),
  );
}

const t = (key) => STRINGS[state.language][key];
const listOf = (key) => {
  const value = t(key);
  return typeof value === "function" ? value(state.retentionDays) : value;
};

// ---------------------------------------------------------------- language
function applyStrings() {
  const lang = LANGUAGES.find((l) => l.code === state.language);
  document.documentElement.lang = lang.htmlLang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  for (const el of document.querySelectorAll("[data-i18n-list]")) {
    el.replaceChildren(
      ...listOf(el.dataset.i18nList).map((text) => {
        const p = document.createElement("p");
        p.textContent = text;
        return p;
      }),
    );
  }
  for (const el of document.querySelectorAll("[data-speaker]")) el.textContent = speakerLabel(el.dataset.speaker);
  els.replies.setAttribute("aria-label", t("quickRepliesLabel"));
  updateCharCount();
  if (!els.status.hidden && els.status.dataset.key) showStatus(els.status.dataset.key);
  renderHandoff();
  if (!els.resumeStatus.hidden && els.resumeStatus.dataset.key) showResumeStatus(els.resumeStatus.dataset.key, els.resumeStatus.dataset.arg);
}

function setLanguage(code, { fromUser = false } = {}) {
  if (!STRINGS[code] || code === state.language) return;
  state.language = code;
  els.language.value = code;
  applyStrings();
  if (fromUser) {
    writeStore("localStorage", KEY_LANGUAGE, code);
    // The language also travels as metadata with every message; this asks the bot to confirm
    // and to ask the current question again in the new language.
    if (state.started) send(`/switch_language${JSON.stringify({ lang: code })}`);
  }
}

// ---------------------------------------------------------------- rendering
function speakerLabel(who) {
  return `${who === "user" ? t("you") : t("assistant")} `;
}

let messageCounter = 0;
function renderItem(item) {
  if (item.hidden && !item.text) return renderHidden();
  const row = document.createElement("div");
  row.className = `msg msg-${item.who}`;
  row.dataset.who = item.who;
  const speaker = document.createElement("span");
  speaker.className = "visually-hidden";
  speaker.dataset.speaker = item.who;
  speaker.textContent = speakerLabel(item.who);
  const body = document.createElement("span");
  body.className = "msg-text";
  body.id = `msg-${++messageCounter}`;
  appendText(body, item.text, { links: item.who === "bot" });
  row.append(speaker, body);
  els.log.append(row);
  return body.id;
}

/** One line standing for what was said during the hand-off before a reload (its words are not kept). */
function renderHidden() {
  const last = els.log.lastElementChild;
  if (last && last.dataset.who === "hidden") return last.querySelector(".msg-text").id;
  const row = document.createElement("div");
  row.className = "msg msg-hidden";
  row.dataset.who = "hidden";
  const body = document.createElement("span");
  body.className = "msg-text";
  body.id = `msg-${++messageCounter}`;
  body.dataset.i18n = "hiddenContact";
  body.textContent = t("hiddenContact");
  row.append(body);
  els.log.append(row);
  return body.id;
}

function addItem(item) {
  if (state.contactStep) item.hidden = true;
  state.items.push(item);
  if (state.items.length > MAX_ITEMS) state.items.splice(0, state.items.length - MAX_ITEMS);
  const id = renderItem(item);
  saveTranscript();
  return id;
}

function cleanReplies(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string" && b.title.trim())
    .slice(0, 30)
    .map((b) => ({ title: b.title, payload: b.payload }));
}

function showReplies(replies, labelledBy, fresh = true) {
  state.replies = replies;
  const shownAt = fresh ? performance.now() : -Infinity; // restored after a reload: no double tap to catch
  els.replies.replaceChildren(
    ...replies.map((reply) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reply";
      button.textContent = reply.title;
      button.dataset.payload = reply.payload;
      button.addEventListener("click", () => {
        if (performance.now() - shownAt < SETTLE_MS) return; // the end of a double tap
        state.answeredWithButton = true;
        clearReplies();
        send(reply.payload, reply.title);
      });
      return button;
    }),
  );
  els.replies.hidden = replies.length === 0;
  if (labelledBy) els.replies.setAttribute("aria-labelledby", labelledBy);
  else els.replies.removeAttribute("aria-labelledby");
}

function clearReplies() {
  const hadFocus = els.replies.contains(document.activeElement);
  showReplies([], null);
  if (hadFocus) els.input.focus({ preventScroll: true });
}

function scrollToEnd() {
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  window.scrollTo({ top: document.documentElement.scrollHeight, behavior: smooth ? "smooth" : "auto" });
}

let statusTimer = null;
function showStatus(key, { autoHideMs = 0 } = {}) {
  clearTimeout(statusTimer);
  if (!key) {
    els.status.hidden = true;
    els.status.textContent = "";
    delete els.status.dataset.key;
    return;
  }
  els.status.dataset.key = key;
  els.status.textContent = t(key);
  els.status.hidden = false;
  if (autoHideMs) statusTimer = setTimeout(() => showStatus(null), autoHideMs);
}

// ---------------------------------------------------------------- waiting for the bot
let quietTimer = null;
let slowTimer = null;

function setBusy(busy) {
  state.waiting = busy;
  document.body.dataset.state = busy ? "waiting" : "idle";
  els.log.setAttribute("aria-busy", busy ? "true" : "false");
  els.typing.hidden = !busy;
}

function startWaiting() {
  clearTimeout(quietTimer);
  clearTimeout(slowTimer);
  setBusy(true);
  slowTimer = setTimeout(() => {
    setBusy(false);
    showStatus("slow");
    if (state.forgetFrom !== null) forgetConversation(); // this device forgets regardless
  }, SLOW_MS);
}

function botActivity() {
  clearTimeout(quietTimer);
  clearTimeout(slowTimer);
  if (!state.waiting) setBusy(true);
  quietTimer = setTimeout(replyComplete, QUIET_MS);
}

function replyComplete() {
  setBusy(false);
  if (els.status.dataset.key === "slow") showStatus(null);
  if (state.forgetFrom !== null) {
    forgetConversation();
    return;
  }
  // Keep the person's place: after answering with a button, go to the next choices; otherwise
  // stay in (or return to) the text box. A single button (such as "Not sure" under a question
  // that wants typing) does not take the focus away from typing.
  const active = document.activeElement;
  const focusLost = !active || active === document.body;
  if (state.answeredWithButton && state.replies.length >= 2) {
    els.replies.querySelector("button").focus({ preventScroll: true });
  } else if (focusLost || state.answeredWithButton) {
    els.input.focus({ preventScroll: true });
  }
  scrollToEnd();
}

// ---------------------------------------------------------------- the session
/** Gets (or renews) this browser's session cookie from the page server; `fresh` starts a new
 * conversation. Resolves with the session's tag; retries quietly while the server is away. */
let sessionRequest = null;
function ensureSession({ fresh = false } = {}) {
  if (sessionRequest && !fresh) return sessionRequest;
  sessionRequest = (async () => {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 10000)) {
      try {
        const body = await postJson("/session", { fresh });
        if (body.ok && typeof body.data.tag === "string") {
          applySessionInfo(body.data);
          return body.data.tag;
        }
      } catch {
        /* the server is away: say so and try again */
      }
      showStatus("offline");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();
  const request = sessionRequest;
  request.finally(() => {
    if (sessionRequest === request) sessionRequest = null;
  });
  return request;
}

async function postJson(path, payload) {
  const resp = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
    credentials: "same-origin",
    cache: "no-store",
  });
  let data = {};
  try {
    data = await resp.json();
  } catch {
    /* not JSON: treated as a failure below */
  }
  return { ok: resp.ok, status: resp.status, data: data && typeof data === "object" ? data : {} };
}

function applySessionInfo(data) {
  const days = Number(data.retention_days);
  if (Number.isInteger(days) && days > 0 && days !== state.retentionDays) {
    state.retentionDays = days;
    applyStrings();
  }
}

// ---------------------------------------------------------------- the socket
const socket = io({
  path: "/socket.io",
  transports: ["websocket"],
  reconnectionDelay: 1000,
  reconnectionDelayMax: 10000,
  timeout: 15000,
  autoConnect: false, // connects once the session cookie is there
});

function setConnection(value) {
  document.body.dataset.connection = value;
}

/** Connects again, so the socket is bound to the conversation the cookie now names. */
function reconnect() {
  state.sessionReady = false;
  socket.disconnect();
  socket.connect();
}

socket.on("connect", () => {
  state.sessionReady = false;
  setConnection("connecting");
  // The server binds the socket to the cookie's conversation; no id is sent or claimed.
  socket.emit("session_request", { replay: state.replay });
  state.replay = false;
});

socket.on("session_confirm", (tag) => {
  if (typeof tag !== "string" || !tag) return;
  if (tag !== state.tag) conversationChanged(tag);
  state.sessionReady = true;
  setConnection("online");
  if (els.status.dataset.key === "offline" || els.status.dataset.key === "connecting") showStatus(null);
  flush();
});

socket.on("disconnect", (reason) => {
  state.sessionReady = false;
  if (reason === "io client disconnect") return; // reconnect(): on purpose, not a lost connection
  setConnection("offline");
  showStatus("offline");
});

// Refused (no session, or it expired) or the server is away: renew the session, then try again.
socket.on("connect_error", () => {
  setConnection("offline");
  showStatus("offline");
  ensureSession().then(() => {
    if (!socket.active) socket.connect();
  });
});

socket.on(BOT_EVENT, (data) => {
  if (!data || typeof data !== "object") return;
  const text = typeof data.text === "string" ? data.text : "";
  const replies = cleanReplies(data.quick_replies || data.buttons);
  if (!text.trim() && replies.length === 0) return;
  const id = addItem({ who: "bot", text, replies });
  // The choices always belong to the latest message; one without choices clears them.
  showReplies(replies, id);
  botActivity();
});

// After each turn (and on connecting) the assistant says which language it is speaking now,
// whether it is asking for contact details (the hand-off), and what became of the hand-off. The
// page follows a switch the person typed ("¿podemos hablar en español?") or one made from their
// first message, unless the person changed the picker after sending that message ("asked").
socket.on("turn_state", (data) => {
  if (!data || typeof data !== "object") return;
  if (data.deleted === true) {
    // Deleted by a typed request: this device forgets it too, keeping only the confirmation.
    if (state.forgetFrom === null) {
      const lastUser = state.items.map((item) => item.who).lastIndexOf("user");
      state.forgetFrom = lastUser + 1;
    }
    return;
  }
  const contactStep = data.contact_step === true;
  if (contactStep !== state.contactStep) {
    state.contactStep = contactStep;
    saveTranscript(); // the flag travels with the transcript, for a reload in the middle
  }
  state.handoff = cleanHandoff(data.handoff);
  renderHandoff();
  if (!STRINGS[data.language] || data.language === state.language) return;
  if (data.asked && data.asked !== state.language) return;
  setLanguage(data.language);
  writeStore("localStorage", KEY_LANGUAGE, data.language);
});

function cleanHandoff(value) {
  if (!value || typeof value !== "object") return null;
  if (value.state === "sent" && typeof value.reference === "string" && /^[0-9A-Za-z-]{1,32}$/.test(value.reference)) {
    return { state: "sent", reference: value.reference };
  }
  return value.state === "not_sent" || value.state === "in_progress" ? { state: value.state } : null;
}

/** One line saying what became of the hand-off: sent (with the reference), not sent, or not yet. */
function renderHandoff() {
  const handoff = state.handoff;
  if (!handoff || !state.started) {
    els.handoff.hidden = true;
    els.handoff.textContent = "";
    delete els.handoff.dataset.state;
    return;
  }
  const text = { sent: () => t("handoffSent")(handoff.reference), not_sent: () => t("handoffNotSent"),
                 in_progress: () => t("handoffInProgress") }[handoff.state]();
  els.handoff.dataset.state = handoff.state;
  els.handoff.textContent = text;
  els.handoff.hidden = false;
}

function flush() {
  if (!state.sessionReady || !socket.connected) return;
  while (state.outbox.length) {
    const { message, language } = state.outbox.shift();
    socket.emit(USER_EVENT, { message, metadata: { language } });
  }
}

/** Sends a message to the bot; `shown` is what appears as the person's own message, if anything. */
function send(message, shown = null) {
  if (shown) addItem({ who: "user", text: shown });
  state.outbox.push({ message, language: state.language });
  startWaiting();
  flush();
  scrollToEnd();
}

// ---------------------------------------------------------------- controls
function updateCharCount() {
  const used = els.input.value.length;
  const left = MAX_LENGTH - used;
  els.charCount.textContent = left <= 0 ? t("tooLong") : left <= 200 ? t("charsLeft")(left) : "";
}

function setStarted(started) {
  state.started = started;
  els.notice.hidden = started;
  els.composer.hidden = !started;
  els.startOver.hidden = !started;
  els.talkToPerson.hidden = !started;
  els.forget.hidden = !started;
  renderHandoff();
}

function begin() {
  setStarted(true);
  saveTranscript();
}

/** A different conversation from the one on screen (another tab resumed or deleted one): the
 * screen starts afresh, since this tab's transcript belongs to the other one. */
function conversationChanged(tag) {
  const hadOne = state.tag !== null;
  state.tag = tag;
  if (!hadOne) return;
  state.items = [];
  state.contactStep = false;
  state.handoff = null;
  els.log.replaceChildren();
  showReplies([], null);
  setStarted(false);
  writeStore("sessionStorage", KEY_TRANSCRIPT, null);
}

/** After "Delete my answers": keep only the bot's confirmation on screen, forget the transcript
 * on this device, and start a new, empty conversation (a fresh session cookie). */
function forgetConversation() {
  const kept = state.items.slice(state.forgetFrom).filter((item) => item.who === "bot");
  state.forgetFrom = null;
  state.contactStep = false;
  state.handoff = null;
  state.items = kept.map((item) => ({ ...item, replies: [] }));
  els.log.replaceChildren();
  state.items.forEach(renderItem);
  showReplies([], null);
  setStarted(false);
  writeStore("sessionStorage", KEY_TRANSCRIPT, null);
  state.sessionReady = false;
  ensureSession({ fresh: true }).then((tag) => {
    state.tag = tag;
    reconnect();
  });
  els.noticeContinue.focus({ preventScroll: true });
  scrollToEnd();
}

els.noticeContinue.addEventListener("click", () => {
  state.items = [];
  els.log.replaceChildren();
  begin();
  state.answeredWithButton = true;
  send("/greet");
});

els.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = els.input.value.trim().slice(0, MAX_LENGTH);
  if (!text) return;
  state.answeredWithButton = false;
  els.input.value = "";
  updateCharCount();
  clearReplies();
  send(text, text);
});

els.input.addEventListener("input", updateCharCount);

els.startOver.addEventListener("click", () => {
  if (!window.confirm(t("startOverConfirm"))) return;
  state.items = [];
  els.log.replaceChildren();
  clearReplies();
  saveTranscript();
  state.answeredWithButton = true;
  send('/start_over{"confirmed": true}');  // confirmed here, so the assistant does not ask again
});

els.forget.addEventListener("click", () => {
  if (!window.confirm(t("forgetConfirm"))) return;
  els.forget.closest("details").open = false;
  state.answeredWithButton = false;
  state.forgetFrom = state.items.length;
  send('/delete_data{"confirmed": true}');  // confirmed here, so the assistant does not ask again
});

els.talkToPerson.addEventListener("click", () => {
  state.answeredWithButton = false;
  send("/talk_to_person", t("talkToPerson"));
});

els.language.addEventListener("change", () => setLanguage(els.language.value, { fromUser: true }));

// ---------------------------------------------------------------- continue with a code
function showResumeStatus(key, arg) {
  if (!key) {
    els.resumeStatus.hidden = true;
    els.resumeStatus.textContent = "";
    delete els.resumeStatus.dataset.key;
    return;
  }
  const value = t(key);
  els.resumeStatus.dataset.key = key;
  if (arg === undefined) delete els.resumeStatus.dataset.arg;
  else els.resumeStatus.dataset.arg = arg;
  els.resumeStatus.textContent = typeof value === "function" ? value(Number(arg)) : value;
  els.resumeStatus.hidden = false;
}

els.resumeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = els.resumeCode.value.trim();
  if (!code) {
    showResumeStatus("resumeEmpty");
    els.resumeCode.focus();
    return;
  }
  els.resumeSubmit.disabled = true;
  showResumeStatus("resumeChecking");
  let result;
  try {
    result = await postJson("/resume", { code });
  } catch {
    result = { ok: false, status: 0, data: {} };
  } finally {
    els.resumeSubmit.disabled = false;
  }
  if (result.ok && typeof result.data.tag === "string") {
    resumed(result.data);
    return;
  }
  const error = result.data.error;
  if (error === "limited") showResumeStatus("resumeLimited", String(Math.max(1, Math.ceil(Number(result.data.retry_after) / 60) || 1)));
  else if (error === "malformed") showResumeStatus("resumeMalformed");
  else if (error === "wrong") showResumeStatus("resumeWrong", String(state.retentionDays));
  else showResumeStatus("resumeUnavailable");
  els.resumeCode.focus();
});

/** The code was right: this browser is now in that conversation. Start the screen afresh and
 * ask the assistant to greet the person back and repeat the open question. */
function resumed(data) {
  applySessionInfo(data);
  state.tag = data.tag;
  els.resumeCode.value = "";
  showResumeStatus(null);
  els.resume.open = false;
  state.items = [];
  state.contactStep = false;
  state.handoff = null;
  els.log.replaceChildren();
  showReplies([], null);
  begin();
  state.answeredWithButton = true;
  reconnect(); // bound to the resumed conversation from the next connection on
  send("/resume_conversation");
}

// ---------------------------------------------------------------- start
async function init() {
  for (const lang of LANGUAGES) {
    const option = document.createElement("option");
    option.value = lang.code;
    option.lang = lang.htmlLang;
    option.textContent = lang.label;
    els.language.append(option);
  }
  const saved = readStore("localStorage", KEY_LANGUAGE);
  setLanguage(STRINGS[saved] ? saved : pickLanguage(navigator.languages || [navigator.language]));
  writeStore("localStorage", KEY_OLD_SESSION, null); // the id was a credential once; it is not kept
  setBusy(false);
  setConnection("connecting");

  state.tag = await ensureSession();
  const transcript = loadTranscript(state.tag);
  if (transcript && transcript.started) {
    state.items = transcript.items;
    state.contactStep = transcript.contactStep;
    for (const item of state.items) renderItem(item);
    const last = state.items[state.items.length - 1];
    // Choices are shown again only under a message still on screen: never "Yes, send it" under
    // a summary this device did not keep.
    if (last && last.who === "bot" && !last.hidden && last.replies.length) {
      showReplies(last.replies, els.log.lastElementChild.querySelector(".msg-text").id, false);
    }
    // Reloaded in the hand-off, where the question is not kept here: the server says it again.
    state.replay = state.contactStep && Boolean(last && last.hidden);
    begin();
    // Reloaded before the answer came: it may still arrive; if not, the person knows what to do.
    if (last && last.who === "user") startWaiting();
    window.scrollTo(0, document.documentElement.scrollHeight);
  } else {
    els.notice.hidden = false;
  }
  socket.connect();
}

init();
