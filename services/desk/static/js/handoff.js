// Live-chat console: waiting requests, my chats, and the open chat (polled every 2 s from Rasa's tracker).
// Everything citizens wrote is put on the page with textContent, never as HTML.
"use strict";

(() => {
  const root = document.getElementById("console");
  if (!root) return;
  const base = root.dataset.baseUrl.replace(/\/$/, "");
  const els = (id) => document.getElementById(id);
  let current = null;      // id of the open chat
  let lastIndex = -1;      // last tracker event shown
  let linesTimer = null;

  const SENDERS = { user: "群众", bot: "智能助手", staff: "工作人员" };

  function item(text, cls) {
    const li = document.createElement("li");
    if (cls) li.className = cls;
    li.textContent = text;
    return li;
  }

  function waitText(seconds) {
    return seconds >= 60 ? Math.floor(seconds / 60) + "分" + (seconds % 60) + "秒" : seconds + "秒";
  }

  function renderWaiting(list, waitLimit) {
    const ul = els("waiting");
    ul.replaceChildren();
    if (!list.length) { ul.append(item("暂无等待的咨询。", "empty")); return; }
    list.forEach((h) => {
      const li = document.createElement("li");
      const head = document.createElement("div");
      head.textContent = h.number + " · " + h.channel_label + " · " + h.citizen_name;
      const wait = document.createElement("div");
      wait.textContent = "已等待 " + waitText(h.waited_seconds);
      if (h.waited_seconds > waitLimit * 0.66) wait.className = "wait-long";
      const summary = document.createElement("div");
      summary.className = "hint";
      summary.textContent = h.summary;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary";
      button.textContent = "接入";
      button.addEventListener("click", () => take(h.id, button));
      li.append(head, wait, summary, button);
      ul.append(li);
    });
  }

  function renderMine(list) {
    const ul = els("mine");
    ul.replaceChildren();
    if (!list.length) { ul.append(item("暂无。", "empty")); return; }
    list.forEach((h) => {
      const li = document.createElement("li");
      li.className = h.id === current ? "current" : "";
      const link = document.createElement("a");
      link.href = "#" + h.id;
      link.textContent = h.number + " · " + h.citizen_name + "（" + h.channel_label + "）";
      li.append(link);
      ul.append(li);
      if (h.id === current) showChat(h);
    });
    if (current !== null && !list.some((h) => h.id === current)) closeView();
  }

  async function refresh() {
    try {
      const state = await Desk.getJSON(root.dataset.stateUrl);
      els("online-count").textContent = "在线工作人员 " + state.clerks_online + " 人";
      Desk.setBadge(state.waiting_count);
      renderWaiting(state.waiting, state.wait_seconds);
      renderMine(state.mine);
    } catch (e) { /* next round */ }
  }

  function showChat(h) {
    els("chat").hidden = false;
    els("chat-empty").hidden = true;
    const title = els("chat-title");
    const link = document.createElement("a");
    link.href = root.dataset.orderUrl.replace("NUMBER", encodeURIComponent(h.number));
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "工单 " + h.number;
    title.replaceChildren(link, document.createTextNode(" · " + h.citizen_name));
    els("chat-meta").textContent = h.kind + " · " + h.channel_label + " · 诉求：" + h.summary;
  }

  function closeView() {
    current = null;
    lastIndex = -1;
    els("lines").replaceChildren();
    els("chat").hidden = true;
    els("chat-empty").hidden = false;
    if (linesTimer) { clearInterval(linesTimer); linesTimer = null; }
  }

  function appendLine(line) {
    const li = document.createElement("li");
    li.className = "turn turn-" + line.sender;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = line.label || SENDERS[line.sender] || line.sender;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = line.text;
    li.append(who, text);
    els("lines").append(li);
    els("lines").scrollTop = els("lines").scrollHeight;
  }

  async function pollLines() {
    if (current === null) return;
    try {
      const data = await Desk.getJSON(base + "/" + current + "/lines.json?after=" + lastIndex);
      const error = els("chat-error");
      error.hidden = !data.error;
      error.textContent = data.error ? "对话记录暂时读取不到：" + data.error : "";
      data.lines.forEach((line) => { appendLine(line); lastIndex = Math.max(lastIndex, line.index); });
      if (data.status !== "进行中") { closeView(); refresh(); }
    } catch (e) { /* next round */ }
  }

  function open(id) {
    if (current === id) return;
    closeView();
    current = id;
    pollLines();
    linesTimer = setInterval(pollLines, 2000);
    refresh();
  }

  async function take(id, button) {
    button.disabled = true;
    try {
      await Desk.send("POST", base + "/" + id + "/take");
      window.location.hash = "#" + id;
    } catch (e) { alert(e.message); refresh(); }
  }

  async function sendLine(event) {
    event.preventDefault();
    const box = els("send-text");
    const text = box.value.trim();
    if (!text || current === null) return;
    try {
      const result = await Desk.send("POST", base + "/" + current + "/send", { text });
      box.value = "";
      if (!result.delivered) {
        const error = els("chat-error");
        error.hidden = false;
        error.textContent = "消息未实时送达（群众可能已离开页面），已保存在对话记录中。";
      }
      pollLines();
    } catch (e) { alert(e.message); }
  }

  async function end(action) {
    if (current === null) return;
    const message = action === "release" ? "确定将对话转回智能助手？" : "确定结束本次在线咨询？";
    if (!window.confirm(message)) return;
    const body = action === "close" ? { answer: els("close-answer").value.trim() || null } : {};
    try {
      await Desk.send("POST", base + "/" + current + "/" + action, body);
      els("close-answer").value = "";
      window.location.hash = "";
      closeView();
      refresh();
    } catch (e) { alert(e.message); }
  }

  function fromHash() {
    const id = parseInt(window.location.hash.slice(1), 10);
    if (Number.isInteger(id)) open(id); else closeView();
  }

  els("send-form").addEventListener("submit", sendLine);
  els("send-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) sendLine(e);
  });
  els("release").addEventListener("click", () => end("release"));
  els("close-chat").addEventListener("click", () => end("close"));
  els("available").addEventListener("change", (e) => Desk.heartbeat(e.target.checked));
  window.addEventListener("hashchange", fromHash);
  fromHash();
  refresh();
  setInterval(refresh, 2000);
})();
