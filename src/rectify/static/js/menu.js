// The staff header's menu (base.html): open on a desk, folded behind 菜单 on a phone (≤ 720 px).
// Loaded right after the header, so the phone never shows the header unfolded.
(function () {
  const menu = document.querySelector(".site-menu");
  if (!menu) return;
  const narrow = window.matchMedia("(max-width: 720px)");
  const fit = () => { menu.open = !narrow.matches; };
  fit();
  narrow.addEventListener("change", fit);
})();
