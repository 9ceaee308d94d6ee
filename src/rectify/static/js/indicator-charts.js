/* Indicator charts: one Apache ECharts line chart per .indicator-chart element, drawn from the
   JSON the page puts beside it (json_script), against the target and the baseline. The same numbers
   are always in the data table under the chart, so nothing depends on this script running. */
(function () {
  "use strict";

  var COLOURS = { value: "#1f4e8c", target: "#1e6b3a", baseline: "#5b6470", short: "#b3261e" };

  function plain(number) {
    return String(Math.round(number * 10000) / 10000);
  }

  function meets(data, value) {
    return data.direction === "decrease" ? value <= data.target : value >= data.target;
  }

  function niceStep(span) {
    var rough = span / 5;
    var power = Math.pow(10, Math.floor(Math.log10(rough)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i] * power >= rough) {
        return steps[i] * power;
      }
    }
    return 10 * power;
  }

  /* The y range: every value, the target and the baseline, widened to round numbers. */
  function extent(data) {
    var values = data.points.map(function (point) { return point[1]; });
    values.push(data.target, data.baseline);
    var low = Math.min.apply(null, values);
    var high = Math.max.apply(null, values);
    var step = niceStep(high - low || Math.abs(high) || 1);
    var min = Math.floor(low / step - 0.25) * step;
    var max = Math.ceil(high / step + 0.25) * step;
    return { min: low >= 0 ? Math.max(0, min) : min, max: high <= 0 ? Math.min(0, max) : max };
  }

  function option(data) {
    var unit = data.unit ? " " + data.unit : "";
    var range = extent(data);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      animation: !reduced,
      grid: { left: 16, right: 96, top: 32, bottom: 24, containLabel: true },
      tooltip: {
        renderMode: "richText", // on the canvas: the HTML tooltip's style="" is refused by the CSP
        trigger: "axis",
        valueFormatter: function (value) { return plain(value) + unit; }
      },
      xAxis: {
        type: "time",
        axisLabel: { formatter: "{yyyy}-{MM}-{dd}", hideOverlap: true }
      },
      yAxis: {
        type: "value",
        name: data.unit || "",
        min: range.min,
        max: range.max,
        axisLabel: { formatter: function (value) { return plain(value); } }
      },
      series: [
        {
          name: data.name,
          type: "line",
          data: data.points.map(function (point) {
            return {
              value: point,
              itemStyle: { color: meets(data, point[1]) ? COLOURS.value : COLOURS.short }
            };
          }),
          symbolSize: 8,
          lineStyle: { color: COLOURS.value, width: 2 },
          itemStyle: { color: COLOURS.value },
          markLine: {
            symbol: "none",
            silent: true,
            data: [
              {
                name: "目标值",
                yAxis: data.target,
                lineStyle: { color: COLOURS.target, type: "dashed", width: 2 },
                label: { formatter: "目标 " + plain(data.target) + unit, color: COLOURS.target }
              },
              {
                name: "基线值",
                yAxis: data.baseline,
                lineStyle: { color: COLOURS.baseline, type: "dotted", width: 1 },
                label: { formatter: "基线 " + plain(data.baseline) + unit, color: COLOURS.baseline }
              }
            ]
          }
        }
      ]
    };
  }

  window.rectifyCharts.drawAll(".indicator-chart[data-chart-data]", function (data) {
    return data.points.length ? option(data) : null;
  });
})();
