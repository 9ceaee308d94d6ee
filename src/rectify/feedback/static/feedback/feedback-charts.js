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
      // richText: drawn on the canvas; the HTML tooltip's style="" attributes are refused by the CSP.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
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

  window.rectifyCharts.drawAll(".feedback-chart[data-chart-data]", function (data, container) {
    if (!data.values.length) {
      return null;
    }
    container.style.height = Math.max(160, data.values.length * 36 + 48) + "px";
    return option(data);
  });
})();
