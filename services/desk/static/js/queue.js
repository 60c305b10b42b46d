// The queue page: asks every few seconds for orders newer than the ones shown (a small JSON answer),
// then shows them in a banner, beeps and sends a desktop notification (Desk.notify). Keys: j/k move the
// highlighted row, Enter (or o) opens it, / jumps to the search box.
"use strict";

(() => {
  const bar = document.getElementById("live-bar");
  if (!bar) return;
  const banner = document.getElementById("new-orders");
  const seen = [];
  let cursor = null;

  function orderUrl(number) { return bar.dataset.orderUrl.replace("NUMBER", encodeURIComponent(number)); }

  function show(items) {
    items.forEach((item) => { if (!seen.some((s) => s.number === item.number)) seen.push(item); });
    banner.textContent = "新工单 " + seen.length + " 件：";
    seen.slice(-5).forEach((item) => {
      const link = document.createElement("a");
      link.href = orderUrl(item.number);
      link.textContent = item.number + "（" + item.kind + "）";
      banner.appendChild(link);
    });
    const refresh = document.createElement("a");
    refresh.href = window.location.href;
    refresh.textContent = "刷新列表";
    banner.appendChild(refresh);
    banner.hidden = false;
    document.title = "（" + seen.length + "）" + document.title.replace(/^（\d+）/, "");
  }

  async function poll() {
    const url = bar.dataset.updatesUrl + (cursor === null ? "" : "?after=" + cursor);
    try {
      const data = await Desk.getJSON(url);
      if (cursor !== null && data.new.length) {
        show(data.new);
        const first = data.new[data.new.length - 1];
        Desk.notify("新工单 " + first.number, first.kind + "：" + first.summary, orderUrl(first.number));
      }
      cursor = data.cursor;
    } catch (e) { /* offline for a moment: the next round asks again */ }
  }

  const rows = Array.from(document.querySelectorAll("table.queue tbody tr[data-href]"));
  let current = -1;
  function highlight(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("row-current", i === current));
    rows[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    if (Desk.typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") highlight(current + 1);
    else if (event.key === "k") highlight(current - 1);
    else if ((event.key === "Enter" || event.key === "o") && current >= 0) window.location.href = rows[current].dataset.href;
    else if (event.key === "/") { event.preventDefault(); document.getElementById("queue-search").focus(); }
  });

  poll();
  setInterval(poll, Math.max(2, Number(bar.dataset.poll) || 15) * 1000);
})();
