/*
 * Court web chat page. Talks to the `webchat` channel over socket.io.
 * - The conversation id and its server-signed token live in localStorage, so a reload (or a dropped
 *   connection) resumes the same conversation: on every (re)connect the page presents both with
 *   `session_request` and the server answers with `session_confirm` and the `history`.
 * - Every text is put into the page with textContent / text nodes, never as HTML.
 * - A new bot message is scrolled to its start (the first bot message of a turn), so a long answer is
 *   read from its first line; the citizen's own messages and the typing dots scroll to the end.
 * - Button taps never focus the text box (on a phone that would open the keyboard); only typing does.
 */
(function () {
  "use strict";

  var SESSION_KEY = "court-webchat-session";
  var LARGE_KEY = "court-webchat-large-text";
  var MAX_SESSION_RETRIES = 3;
  var LABELS = { user: "我", bot: "小助手", system: "" };
  // Candidates are whole URLs and whole digit runs (masked digits included), so a run inside an ID
  // number is never taken for a phone number; PHONE then decides which runs to link.
  var LINK = /https?:\/\/[^\s<>"'，。；）]+|[0-9*][0-9*-]*/g;
  var PHONE = /^(12368|0\d{2,3}-?\d{7,8}|1[3-9]\d{9})$/;

  var base = new URL(".", window.location.href);
  var els = {
    main: document.getElementById("main"),
    list: document.getElementById("messages"),
    typing: document.getElementById("typing"),
    status: document.getElementById("status"),
    form: document.getElementById("composer"),
    input: document.getElementById("input"),
    large: document.getElementById("large-text"),
    newChat: document.getElementById("new-chat"),
    confirm: document.getElementById("confirm-new"),
    confirmOk: document.getElementById("confirm-ok"),
    confirmCancel: document.getElementById("confirm-cancel"),
    waiting: document.getElementById("waiting")
  };
  // turnStart: the first bot message since the citizen last spoke (scrolled to, and kept in view)
  var state = { socket: null, session: null, ready: false, outbox: [], retries: 0, notice: null, turnStart: null };

  /* ---------- storage (localStorage may be unavailable, e.g. private browsing) ---------- */

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* the conversation then lasts as long as the page */ }
  }
  function loadSession() {
    try {
      var s = JSON.parse(load(SESSION_KEY) || "null");
      return s && typeof s.session_id === "string" ? s : null;
    } catch (e) { return null; }
  }
  function saveSession(s) {
    state.session = { session_id: s.session_id, token: s.token };
    store(SESSION_KEY, JSON.stringify(state.session));
  }

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* ---------- rendering: text only ---------- */

  function appendLinked(parent, text) {
    var last = 0;
    text = String(text);
    text.replace(LINK, function (match, offset) {
      var url = /^https?:/.test(match);
      if (!url && !PHONE.test(match)) { return match; }
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = document.createElement("a");
      a.textContent = match;
      if (url) {
        a.href = match;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      } else {
        a.href = "tel:" + match.replace(/-/g, "");
      }
      parent.appendChild(a);
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function disableOldButtons() {
    var buttons = els.list.querySelectorAll(".quick:not(:disabled)");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
  }

  function renderButtons(item, buttons) {
    if (!buttons || !buttons.length) { return; }
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "可选回复");
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        send(String(b.payload || b.title), String(b.title));
      });
      group.appendChild(button);
    });
    item.appendChild(group);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* HH:MM in the browser's own time zone; `ts` is epoch seconds (server) or absent (then: now). */
  function renderTime(parent, ts) {
    var when = typeof ts === "number" && isFinite(ts) ? new Date(ts * 1000) : new Date();
    var time = document.createElement("time");
    time.className = "at";
    time.dateTime = when.toISOString();
    time.textContent = pad(when.getHours()) + ":" + pad(when.getMinutes());
    parent.appendChild(time);
  }

  /* The case-progress card: title, then label/value rows (phone numbers tappable). */
  function renderCard(bubble, card) {
    if (!card || !Array.isArray(card.rows)) { return; }
    var box = document.createElement("section");
    box.className = "card";
    if (card.title) {
      var title = document.createElement("p");
      title.className = "card-title";
      title.textContent = card.title;
      box.appendChild(title);
    }
    if (card.subtitle) {
      var sub = document.createElement("p");
      sub.className = "card-sub";
      sub.textContent = card.subtitle;
      box.appendChild(sub);
    }
    var list = document.createElement("dl");
    card.rows.forEach(function (row) {
      var dt = document.createElement("dt");
      dt.textContent = String(row.label || "");
      var dd = document.createElement("dd");
      appendLinked(dd, String(row.value || ""));
      list.appendChild(dt);
      list.appendChild(dd);
    });
    box.appendChild(list);
    bubble.appendChild(box);
  }

  /* While a live handoff waits for a clerk: the place and the desk's expected wait, until a clerk speaks. */
  function showWaiting(waiting) {
    if (!waiting || typeof waiting.minutes !== "number") {
      els.waiting.hidden = true;
      els.waiting.textContent = "";
      return;
    }
    var place = waiting.position > 1 ? "您前面还有 " + (waiting.position - 1) + " 位，" : "您是下一位，";
    els.waiting.textContent = "正在为您转接人工服务：" + place + "预计等待约 " + waiting.minutes + " 分钟。";
    els.waiting.hidden = false;
  }

  function render(message, options) {
    var from = message.from === "user" || message.from === "staff" || message.from === "system" ? message.from : "bot";
    if (from === "user") { disableOldButtons(); }
    if (from === "staff") { showWaiting(null); }
    if (from === "bot" && message.waiting) { showWaiting(message.waiting); }
    var item = document.createElement("li");
    item.className = "msg msg-" + from;
    var label = from === "staff" ? (message.label || "工作人员") : LABELS[from];
    if (from !== "system") {  // who and when: 小助手 09:30
      var head = document.createElement("div");
      head.className = "meta";
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = label;
      head.appendChild(who);
      if (message.ts || !(options && options.history)) { renderTime(head, message.ts); }
      item.appendChild(head);
    }
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    if (from === "bot" && message.card) { renderCard(bubble, message.card); }
    if (message.text && from === "user") {
      bubble.textContent = message.text;
    } else if (message.text && message.card) {  // the details under the card
      var details = document.createElement("div");
      details.className = "card-details";
      appendLinked(details, message.text);
      bubble.appendChild(details);
    } else if (message.text) {
      appendLinked(bubble, message.text);
    }
    if (typeof message.image === "string" && /^https?:\/\//.test(message.image)) {
      var img = document.createElement("img");
      img.src = message.image;
      img.alt = "图片";
      bubble.appendChild(img);
    }
    item.appendChild(bubble);
    renderButtons(item, message.buttons);
    els.list.appendChild(item);
    if (from === "bot" || from === "staff") {
      if (!state.turnStart) { state.turnStart = item; }
      scrollToStart(state.turnStart);
    } else {
      state.turnStart = null;
      scrollDown();
    }
    return item;
  }

  function renderPending(entry) {
    entry.el = render({ from: "user", text: entry.display });
    entry.el.classList.add("pending");
    var note = document.createElement("span");
    note.className = "note";
    note.textContent = "发送中…";
    entry.el.appendChild(note);
  }

  function markSent(entry) {
    if (!entry.el) { return; }
    entry.el.classList.remove("pending");
    var note = entry.el.querySelector(".note");
    if (note) { note.remove(); }
  }

  function markFailed(entry, reason) {
    if (!entry.el) { return; }
    entry.el.classList.remove("pending");
    entry.el.classList.add("failed");
    var note = entry.el.querySelector(".note");
    if (note) { note.textContent = reason; }
  }

  function renderHistory(messages) {
    els.list.textContent = "";
    state.turnStart = null;
    showWaiting(null);
    messages.forEach(function (m) { render(m, { history: true }); });  // a queue notice, then no clerk: waiting
    var last = messages[messages.length - 1];
    if (last && last.from === "user") { disableOldButtons(); }
    if (state.notice) {  // why this is a new conversation, shown once under its (empty) history
      system(state.notice);
      state.notice = null;
    }
    state.outbox.forEach(renderPending);
  }

  function system(text) { render({ from: "system", text: text }); }

  function scrollDown() { els.main.scrollTop = els.main.scrollHeight; }

  /* Scroll the conversation so that `item` starts at the top of what is visible (a little air above). */
  function scrollToStart(item) {
    var top = item.getBoundingClientRect().top - els.main.getBoundingClientRect().top + els.main.scrollTop;
    els.main.scrollTop = Math.max(0, top - 8);
  }

  function setStatus(kind, text) {
    els.status.className = "status" + (kind ? " " + kind : "");
    els.status.textContent = text;
  }

  function showTyping(on) {
    els.typing.hidden = !on;
    if (on && !state.turnStart) { scrollDown(); }  // never pull a bot answer's start out of view
  }

  /* ---------- sending: an outbox survives reconnects; the server drops resent duplicates ---------- */

  function send(text, display) {
    text = text.trim();
    if (!text) { return; }
    var entry = { id: randomId(), text: text, display: display || text, inflight: false };
    renderPending(entry);
    state.outbox.push(entry);
    flush();
  }

  function flush() {
    if (!state.ready || !state.socket || !state.socket.connected) { return; }
    state.outbox.forEach(function (entry) {
      if (entry.inflight) { return; }
      entry.inflight = true;
      state.socket.timeout(15000).emit("user_uttered", { message: entry.text, id: entry.id }, function (err, ack) {
        entry.inflight = false;
        if (err || !ack) { return; }  // no answer: resent after the next session_confirm
        if (ack.ok) {
          markSent(entry);
          state.outbox = state.outbox.filter(function (e) { return e !== entry; });
        } else if (ack.error !== "no_session") {
          markFailed(entry, ack.error === "too_long" ? "未发送：消息过长" : "未发送");
          state.outbox = state.outbox.filter(function (e) { return e !== entry; });
        }
      });
    });
  }

  /* ---------- session ---------- */

  function fetchSession() {
    return fetch(new URL("session", base), { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("session " + r.status); }
        return r.json();
      });
  }

  function requestSession() {
    if (state.socket && state.session) { state.socket.emit("session_request", state.session); }
  }

  function startNewSession(notice) {
    state.ready = false;
    store(SESSION_KEY, null);
    state.retries += 1;
    if (state.retries > MAX_SESSION_RETRIES) {
      setStatus("error", "暂时无法连接，请稍后刷新页面再试，或拨打12368。");
      return Promise.resolve();
    }
    state.notice = notice || null;
    return fetchSession().then(function (s) {
      saveSession(s);
      requestSession();
    }).catch(function () {
      setStatus("error", "暂时无法连接，请稍后刷新页面再试，或拨打12368。");
    });
  }

  function onSessionError(error) {
    if (error && error.code === "no_session") {  // a message raced a reconnect: present the session again
      state.ready = false;
      requestSession();
      return;
    }
    startNewSession(error && error.message);
  }

  function connect() {
    var socket = window.io(base.origin, {
      path: base.pathname + "socket.io",
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000
    });
    state.socket = socket;
    socket.on("connect", function () {
      setStatus("", "正在连接…");
      requestSession();
    });
    socket.on("session_confirm", function (s) {
      saveSession(s);
      state.ready = true;
      state.retries = 0;
      setStatus("ok", "已连接");
      flush();
    });
    socket.on("history", function (data) { renderHistory((data && data.messages) || []); });
    socket.on("session_error", onSessionError);
    socket.on("bot_uttered", function (message, ack) {
      render(message || {});
      if (typeof ack === "function") { ack({ ok: true }); }
    });
    socket.on("typing", function (data) { showTyping(Boolean(data && data.on)); });
    socket.on("disconnect", function (reason) {
      if (reason === "io server disconnect") {  // not retried by socket.io itself
        window.setTimeout(function () { socket.connect(); }, 1000);
      }
      state.ready = false;
      state.outbox.forEach(function (entry) { entry.inflight = false; });
      showTyping(false);
      setStatus("", "正在重新连接…");
    });
    socket.io.on("reconnect_attempt", function () { setStatus("", "正在重新连接…"); });
    socket.on("connect_error", function () {  // socket.io keeps retrying by itself
      if (!socket.active) { socket.connect(); }
      setStatus("", "正在重新连接…");
    });
  }

  /* ---------- controls ---------- */

  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    els.large.setAttribute("aria-pressed", on ? "true" : "false");
    store(LARGE_KEY, on ? "1" : "0");
    scrollDown();
  }

  function wire() {
    function submitInput() {  // typed: the keyboard stays where it is
      var text = els.input.value;
      els.input.value = "";
      send(text);
      els.input.focus();
    }
    els.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    els.input.addEventListener("keydown", function (event) {
      // Enter while a Chinese input method is composing picks a candidate: never send then.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitInput();
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".welcome .quick"), function (b) {
      b.addEventListener("click", function () { send(b.getAttribute("data-text"), b.textContent); });
    });
    els.large.addEventListener("click", function () {
      setLarge(els.large.getAttribute("aria-pressed") !== "true");
    });
    els.newChat.addEventListener("click", askNewChat);
    els.confirmCancel.addEventListener("click", function () { closeConfirm(); });
    els.confirmOk.addEventListener("click", function () {
      closeConfirm();
      newChat();
    });
    els.confirm.addEventListener("cancel", function () { els.newChat.focus(); });  // Esc: nothing happens
  }

  /* 新对话 wipes the page's conversation: asked first, in a dialog (确定 / 取消). */
  function askNewChat() {
    if (typeof els.confirm.showModal === "function") {
      els.confirm.showModal();
      els.confirmCancel.focus();
    } else if (window.confirm("开始新对话？当前对话记录将从本页清除。")) {  // very old browsers
      newChat();
    }
  }

  function closeConfirm() {
    if (els.confirm.open) { els.confirm.close(); }
  }

  function newChat() {
    state.outbox = [];
    els.list.textContent = "";
    state.turnStart = null;
    showWaiting(null);
    state.retries = 0;
    startNewSession("已开始新的对话。");
  }

  function start() {
    setLarge(load(LARGE_KEY) === "1");
    wire();
    state.session = loadSession();
    if (typeof window.io !== "function") {
      setStatus("error", "页面加载不完整，请刷新页面，或拨打12368。");
      return;
    }
    var ready = state.session ? Promise.resolve() : fetchSession().then(saveSession);
    ready.then(connect).catch(function () {
      setStatus("error", "暂时无法连接，请稍后刷新页面再试，或拨打12368。");
    });
  }

  start();
})();
