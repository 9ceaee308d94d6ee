/* What the chart scripts of the staff pages do alike: each element matching a selector names, in its
   data-chart-data attribute, the JSON the page puts beside it (json_script); the element is drawn once
   with Apache ECharts, from the option the page's script builds, and follows the window's size. The
   same numbers are always in a table on the page, so nothing depends on these scripts running. */
window.rectifyCharts = {
  /* build(data, container) returns the ECharts option, or null when there is nothing to draw; it may
     size the container first. */
  drawAll: function (selector, build) {
    "use strict";

    function draw(container) {
      var source = document.getElementById(container.getAttribute("data-chart-data"));
      if (!source || !window.echarts || container.getAttribute("data-drawn")) {
        return;
      }
      var option = build(JSON.parse(source.textContent), container);
      if (!option) {
        return;
      }
      var chart = window.echarts.init(container, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(option);
      container.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    }

    function drawPage() {
      Array.prototype.forEach.call(document.querySelectorAll(selector), draw);
    }

    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", drawPage);
    } else {
      drawPage();
    }
  }
};
