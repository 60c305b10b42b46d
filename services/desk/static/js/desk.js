// Staff desk: shared behaviour of every page (no inline scripts: CSP script-src 'self').
// - heartbeat: clerks' and supervisors' pages report in every 10 s (that is "online" for live handoff)
// - SLA clocks re-rendered every 30 s from their deadline
// - canned replies, "show full phone" (audited), confirmations
// - alerts: a short WebAudio beep and a desktop Notification (when permitted) for new orders and handoffs
// - the work-order page: 回访并办结 follows the outcome; keys r (reply box) and / (canned replies)
"use strict";

const Desk = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (response.status === 401) { window.location.reload(); }
    if (!response.ok) { throw new Error(data.message || ("请求失败（" + response.status + "）")); }
    return data;
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401) { window.location.reload(); }
    const data = await response.json();
    if (!response.ok) { throw new Error(data.message || ("请求失败（" + response.status + "）")); }
    return data;
  }

  function duration(seconds) {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    const days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + "天" + hours + "小时";
    if (hours) return hours + "小时" + mins + "分";
    return mins + "分";
  }

  function renderClocks() {
    document.querySelectorAll(".sla[data-due]").forEach((el) => {
      if (!el.dataset.due) return;
      const left = (new Date(el.dataset.due).getTime() - Date.now()) / 1000;
      const label = el.dataset.label;
      el.classList.remove("sla-ok", "sla-soon", "sla-late");
      if (left < 0) { el.textContent = label + "已超期" + duration(left); el.classList.add("sla-late"); }
      else { el.textContent = label + "剩余" + duration(left); el.classList.add(left < 4 * 3600 ? "sla-soon" : "sla-ok"); }
    });
  }

  let audio = null;
  function beep() {
    // A short two-tone beep made here (no sound file to fetch); browsers allow it after a first click or key.
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      if (audio.state === "suspended" && audio.resume) audio.resume();
      [880, 1320].forEach((freq, i) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        const at = audio.currentTime + i * 0.16;
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.15, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.15);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.15);
      });
    } catch (e) { /* no sound: the banner and the badge still show it */ }
  }

  function notify(title, body, url) {
    beep();
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification(title, { body, tag: url || title });
      if (url) note.onclick = () => { window.focus(); window.location.href = url; };
    } catch (e) { /* some browsers only notify from a service worker: the banner is enough */ }
  }

  function wireNotifyToggle() {
    const button = document.getElementById("notify-toggle");
    if (!button || !("Notification" in window)) return;
    button.hidden = Notification.permission !== "default";
    button.addEventListener("click", async () => {
      beep();  // this click also lets the page play sound later
      try { await Notification.requestPermission(); } catch (e) { /* refused */ }
      button.hidden = Notification.permission !== "default";
    });
  }

  let lastWaiting = null;
  function setBadge(waiting) {
    const badge = document.getElementById("waiting-badge");
    if (lastWaiting !== null && waiting > lastWaiting) {
      notify("在线咨询", "有群众请求人工服务（等待 " + waiting + " 人）", badge && badge.parentElement.href);
    }
    lastWaiting = waiting;
    if (!badge) return;
    badge.textContent = String(waiting);
    badge.hidden = !waiting;
  }

  function typing(event) {
    const el = event.target;
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }

  function wireOrderPage() {
    const outcome = document.getElementById("finish-outcome");
    if (outcome) {
      const reached = outcome.dataset.reached.split(",");
      const close = document.getElementById("finish-close"), submit = document.getElementById("finish-submit");
      const follow = () => {
        const ok = reached.includes(outcome.value);
        close.checked = ok;
        close.disabled = !ok;
        submit.textContent = ok ? "保存回访并办结" : "保存回访记录（未联系上，不办结）";
      };
      outcome.addEventListener("change", follow);
      close.addEventListener("change", () => { submit.textContent = close.checked ? "保存回访并办结" : "保存回访记录"; });
      follow();
    }
    const body = document.getElementById("reply-body");
    if (!body) return;
    document.addEventListener("keydown", (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "r") { event.preventDefault(); body.focus(); }
      if (event.key === "/") {
        const canned = document.querySelector("#reply-form select.canned");
        if (canned) { event.preventDefault(); canned.focus(); }
      }
    });
  }

  async function heartbeat(available) {
    const url = document.body.dataset.presenceUrl;
    try {
      const body = available === undefined ? {} : { available };
      const data = await send("POST", url, body);
      setBadge(data.waiting || 0);
    } catch (e) { /* the next beat tries again */ }
  }

  function wireCanned() {
    document.querySelectorAll("select.canned").forEach((select) => {
      select.addEventListener("change", () => {
        const target = document.getElementById(select.dataset.target);
        if (target && select.value) {
          target.value = target.value.trim() ? target.value.trim() + "\n" + select.value : select.value;
          target.focus();
        }
        select.value = "";
      });
    });
  }

  function wirePhone() {
    const button = document.getElementById("reveal-phone");
    if (!button) return;
    button.addEventListener("click", async () => {
      try {
        const data = await send("POST", button.dataset.url);
        document.getElementById("phone").textContent = data.phone;
        button.hidden = true;
      } catch (e) { alert(e.message); }
    });
  }

  function wireConfirm() {
    document.querySelectorAll("[data-confirm]").forEach((el) => {
      el.addEventListener("click", (event) => { if (!window.confirm(el.dataset.confirm)) event.preventDefault(); });
    });
  }

  function start() {
    renderClocks();
    setInterval(renderClocks, 30000);
    wireCanned();
    wirePhone();
    wireConfirm();
    wireNotifyToggle();
    wireOrderPage();
    if (document.body.dataset.heartbeat === "1") {
      heartbeat();
      setInterval(() => heartbeat(), 10000);
    }
  }

  return { send, getJSON, heartbeat, setBadge, notify, typing, start };
})();

document.addEventListener("DOMContentLoaded", Desk.start);
