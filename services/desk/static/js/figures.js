// Figures page: ECharts (vendored, same origin) over the JSON data block the server put in the page.
"use strict";

(() => {
  const source = document.getElementById("figures-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#8b1a1a", "#0b5cad", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5d4037"];

  function pie(entries) {
    return {
      color: palette,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: entries.map(([name, value]) => ({ name, value })),
                 label: { formatter: "{b}: {c}" } }],
    };
  }

  function bars(entries, line) {
    return {
      color: palette,
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 40, right: 16, top: 20, bottom: 40 },
      xAxis: { type: "category", data: entries.map((e) => e[0]), axisLabel: { interval: line ? "auto" : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: line ? "line" : "bar", data: entries.map((e) => e[1]), smooth: false,
                 label: { show: !line, position: "top" } }],
    };
  }

  document.querySelectorAll(".chart[data-key]").forEach((el) => {
    const key = el.dataset.key;
    const entries = Object.entries(data[key] || {});
    if (!entries.length) { el.hidden = true; return; }
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(key === "by_channel" ? pie(entries) : bars(entries, key === "by_day"));
    window.addEventListener("resize", () => chart.resize());
  });
})();
