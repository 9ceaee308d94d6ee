/* The public feedback form, enhanced: a character counter under the content, the enterprise fields
   only for 企业诉求, and the error summary focused after a refused submission. The form works the
   same without it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-feedback-form]");
    if (!form) { return; }

    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    var counter = form.querySelector("[data-counter-for]");
    if (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      var count = counter.querySelector("[data-count]");
      var max = parseInt(counter.getAttribute("data-max"), 10);
      var update = function () {
        var length = Array.from(field.value).length;
        count.textContent = String(length);
        counter.classList.toggle("feedback-counter-full", length >= max);
      };
      counter.hidden = false;
      field.addEventListener("input", update);
      update();
    }

    var enterprise = form.querySelector("[data-enterprise]");
    var kinds = form.querySelectorAll("input[name='kind']");
    if (enterprise && kinds.length) {
      var hasValues = function () {
        return Array.from(enterprise.querySelectorAll("input")).some(function (input) { return input.value; });
      };
      var sync = function () {
        var demand = form.querySelector("input[name='kind']:checked");
        enterprise.hidden = !(demand && demand.value === "demand") && !hasValues();
      };
      kinds.forEach(function (input) { input.addEventListener("change", sync); });
      sync();
    }
  });
})();
