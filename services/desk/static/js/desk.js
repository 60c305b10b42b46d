// Staff desk: shared behaviour of every page (no inline scripts: CSP script-src 'self').
// - heartbeat: clerks' and supervisors' pages report in every 10 s (that is "online" for live handoff)
// - SLA clocks re-rendered every 30 s from their deadline
// - canned replies, "show full phone" (audited), confirmations
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

  function setBadge(waiting) {
    const badge = document.getElementById("waiting-badge");
    if (!badge) return;
    badge.textContent = String(waiting);
    badge.hidden = !waiting;
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
    if (document.body.dataset.heartbeat === "1") {
      heartbeat();
      setInterval(() => heartbeat(), 10000);
    }
  }

  return { send, getJSON, heartbeat, setBadge, start };
})();

document.addEventListener("DOMContentLoaded", Desk.start);
