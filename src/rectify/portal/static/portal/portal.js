/* Portal reading settings: font size (大/中/小), elder mode (长者模式) and print.
   Optional: the portal reads the same without it. The choice is remembered in localStorage. */
(function () {
  "use strict";
  var root = document.documentElement;
  var FONT_KEY = "rectify-portal-font";
  var ELDER_KEY = "rectify-portal-elder";
  var FONTS = ["small", "medium", "large"];

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (error) { return null; }
  }
  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (error) { /* private mode: not remembered */ }
  }

  // Applied before the page is drawn, so a remembered size never flashes.
  var font = stored(FONT_KEY);
  root.setAttribute("data-font", FONTS.indexOf(font) >= 0 ? font : "medium");
  if (stored(ELDER_KEY) === "1") { root.classList.add("elder"); }
  root.classList.add("js");

  function sync(tools) {
    var current = root.getAttribute("data-font");
    tools.querySelectorAll("[data-font]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-font") === current));
    });
    var elder = tools.querySelector("[data-elder]");
    if (elder) { elder.setAttribute("aria-pressed", String(root.classList.contains("elder"))); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var tools = document.querySelector("[data-portal-tools]");
    if (!tools) { return; }
    tools.hidden = false;
    sync(tools);
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      if (button.hasAttribute("data-font")) {
        root.setAttribute("data-font", button.getAttribute("data-font"));
        store(FONT_KEY, button.getAttribute("data-font"));
      } else if (button.hasAttribute("data-elder")) {
        var on = !root.classList.contains("elder");
        root.classList.toggle("elder", on);
        store(ELDER_KEY, on ? "1" : "0");
      } else if (button.hasAttribute("data-print")) {
        window.print();
      }
      sync(tools);
    });
  });
})();
