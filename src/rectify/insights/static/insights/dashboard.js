/* Dashboard charts (数据看板): each .dashboard-chart element is drawn with Apache ECharts (canvas
   renderer) from its entry in the JSON the page holds (json_script "dashboard-charts"). The same
   numbers are in the data table under every chart, with the links, so nothing depends on this script
   running; a click on a bar or slice only opens the link its table row offers. */
(function () {
  "use strict";

  var INK = "#1f2329";
  var MUTED = "#5b6470";
  var BAR_HEIGHT = 30; // px per category of a horizontal bar chart
  var NARROW = 560; // px: a chart narrower than this (a phone) lays out its legend and labels to fit

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function base() {
    return {
      animation: !reducedMotion(),
      textStyle: { color: INK },
      // Drawn on the canvas: an HTML tooltip carries style="" attributes, which the site's Content
      // Security Policy refuses.
      tooltip: { confine: true, renderMode: "richText" }
    };
  }

  // Bar charts: the tooltip shows the whole category, each value with its unit.
  function barBase(unit) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.tooltip.valueFormatter = function (value) { return value + " " + unit; };
    return option;
  }

  function legend(names) {
    return { data: names, top: 0, textStyle: { color: INK } };
  }

  // width: the room for each label; a label longer than that is cut (horizontal charts) or broken
  // into lines (under a vertical bar, where every label is shown).
  function categoryAxis(categories, inverse, width) {
    return {
      type: "category",
      data: categories,
      inverse: !!inverse,
      axisLabel: width
        ? { color: INK, width: width, overflow: "break", interval: 0 }
        : { color: INK, width: 160, overflow: "truncate" },
      axisTick: { alignWithLabel: true }
    };
  }

  function valueAxis(name) {
    return {
      type: "value",
      name: name || "",
      minInterval: 1,
      axisLabel: { color: MUTED },
      nameTextStyle: { color: MUTED }
    };
  }

  // On a desk the legend stands on the left and each slice is labelled outside; on a phone there is
  // no room beside the ring, so the legend goes below it, each name with its count, and the slices
  // carry only their count.
  function pie(data, size) {
    var option = base();
    option.tooltip.trigger = "item";
    option.tooltip.formatter = "{b}：{c} 条（{d}%）";
    var counts = {};
    data.items.forEach(function (item) { counts[item.name] = item.value; });
    option.legend = size.narrow
      ? {
          orient: "horizontal",
          left: "center",
          bottom: 0,
          itemGap: 14,
          textStyle: { color: INK, fontSize: 14 },
          formatter: function (name) { return name + " " + counts[name]; }
        }
      : { orient: "vertical", left: 0, top: "middle", textStyle: { color: INK } };
    option.series = [
      {
        type: "pie",
        radius: size.narrow ? ["34%", "62%"] : ["40%", "70%"],
        center: size.narrow ? ["50%", "38%"] : ["62%", "50%"],
        label: size.narrow
          ? { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold", fontSize: 14,
              textBorderColor: "rgba(0, 0, 0, 0.55)", textBorderWidth: 2 }
          : { formatter: "{b}\n{c}", color: INK },
        labelLine: { show: !size.narrow },
        data: data.items.map(function (item) {
          return { name: item.name, value: item.value, itemStyle: { color: item.colour } };
        })
      }
    ];
    return option;
  }

  function stack(data, size) {
    var unit = data.unit || "条";
    var option = barBase(unit);
    option.legend = legend(data.series.map(function (series) { return series.name; }));
    option.grid = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true };
    option.yAxis = categoryAxis(data.categories, true);
    if (size.narrow) {
      option.yAxis.axisLabel.width = 96;
    }
    option.xAxis = valueAxis(unit);
    option.series = data.series.map(function (series) {
      return {
        name: series.name,
        type: "bar",
        stack: "total",
        barMaxWidth: 22,
        itemStyle: { color: series.colour },
        emphasis: { focus: "series" },
        data: series.values
      };
    });
    return option;
  }

  function bar(data, size) {
    var unit = data.unit || "条";
    var option = barBase(unit);
    option.grid = { left: 8, right: 32, top: 24, bottom: 8, containLabel: true };
    // Under vertical bars on a phone every label shows, broken into lines to its bar's width.
    var room = size.narrow && !data.horizontal ? Math.floor((size.width - 60) / data.categories.length) : 0;
    var categories = categoryAxis(data.categories, data.horizontal, room);
    if (size.narrow && data.horizontal) {
      categories.axisLabel.width = 96;
    }
    var values = valueAxis(unit);
    option.xAxis = data.horizontal ? values : categories;
    option.yAxis = data.horizontal ? categories : values;
    option.series = [
      {
        type: "bar",
        barMaxWidth: 40,
        label: { show: true, position: data.horizontal ? "right" : "top", color: INK },
        data: data.values.map(function (value, index) {
          return { value: value, itemStyle: { color: data.colours[index] } };
        })
      }
    ];
    return option;
  }

  function progress(data, size) {
    var option = bar({
      categories: data.categories,
      values: data.values,
      colours: data.colours,
      horizontal: true
    }, size);
    option.tooltip.valueFormatter = function (value) { return value + "%"; };
    option.xAxis = { type: "value", name: "%", axisLabel: { color: MUTED }, nameTextStyle: { color: MUTED } };
    option.series[0].label.formatter = "{c}%";
    option.series[0].markLine = {
      symbol: "none",
      silent: true,
      data: [{ xAxis: 100, name: "目标" }],
      lineStyle: { color: "#1e6b3a", type: "dashed", width: 2 },
      label: { formatter: "目标", color: "#1e6b3a" }
    };
    return option;
  }

  function timeline(data, size) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.legend = legend(data.series.map(function (series) { return series.name; }));
    option.grid = { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
    option.xAxis = categoryAxis(data.months, false);
    if (size.narrow) {
      option.legend.type = "scroll";
    }
    option.yAxis = [valueAxis("份"), valueAxis("累计条")];
    option.series = data.series.map(function (series) {
      var line = series.type === "line";
      return {
        name: series.name,
        type: series.type,
        yAxisIndex: line ? 1 : 0,
        barMaxWidth: 18,
        symbolSize: 7,
        itemStyle: { color: series.colour },
        lineStyle: line ? { color: series.colour, width: 3 } : undefined,
        data: series.values
      };
    });
    return option;
  }

  var BUILDERS = { pie: pie, stack: stack, bar: bar, progress: progress, timeline: timeline };

  function urlOf(data, params) {
    var urls = data.kind === "pie" ? data.items.map(function (item) { return item.url; }) : data.urls;
    return urls ? urls[params.dataIndex] : "";
  }

  function draw(container, data) {
    if (!data || !BUILDERS[data.kind] || container.getAttribute("data-drawn")) {
      return;
    }
    var horizontal = data.kind === "stack" || data.kind === "progress" || data.horizontal;
    if (horizontal) {
      container.style.height = Math.max(220, data.categories.length * BAR_HEIGHT + 80) + "px";
    }
    var chart = window.echarts.init(container, null, { renderer: "canvas", locale: "ZH" });
    var narrow = container.clientWidth < NARROW;
    var build = function () {
      return BUILDERS[data.kind](data, { narrow: narrow, width: container.clientWidth });
    };
    chart.setOption(build());
    chart.on("click", function (params) {
      var url = urlOf(data, params);
      if (url) {
        window.location.assign(url);
      }
    });
    container.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () {
      chart.resize();
      // Turning a tablet, or widening the window, past the phone's width lays the chart out anew.
      if ((container.clientWidth < NARROW) !== narrow) {
        narrow = !narrow;
        chart.setOption(build(), true);
      }
    });
  }

  function drawAll() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    Array.prototype.forEach.call(document.querySelectorAll(".dashboard-chart"), function (container) {
      draw(container, charts[container.id]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
