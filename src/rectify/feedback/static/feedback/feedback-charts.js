/* Feedback statistics: one Apache ECharts bar chart per .feedback-chart element, drawn from the
   JSON the page puts beside it (json_script). The same numbers are in the table under each chart,
   so nothing depends on this script running. */
(function () {
  "use strict";

  function option(data) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      animation: !reduced,
      grid: { left: 16, right: 24, top: 16, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.labels, axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        {
          name: data.title,
          type: "bar",
          data: data.values,
          itemStyle: { color: "#1f4e8c" },
          label: { show: true, position: "right" }
        }
      ]
    };
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart-data"));
    if (!source || !window.echarts || container.getAttribute("data-drawn")) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.values.length) {
      return;
    }
    container.style.height = Math.max(160, data.values.length * 36 + 48) + "px";
    var chart = window.echarts.init(container, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(data));
    container.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".feedback-chart[data-chart-data]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
