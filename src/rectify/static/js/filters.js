// A list page's filters (details.filter-fold, includes/filter_fold_start.html): unfolded on a desk; on a
// phone (≤ 720 px) folded under 筛选 unless the address already carries a filter, so the list's cards
// show on the first screen. A fold marked data-fold-desk (the compact ledger) folds on a desk too. Loaded
// right after the filters, so the phone never shows them unfolded first.
(function () {
  const narrow = window.matchMedia("(max-width: 720px)");
  const active = [...new URLSearchParams(window.location.search)].some(
    ([name, value]) => name !== "page" && value !== "");
  const fit = () => {
    for (const fold of document.querySelectorAll("details.filter-fold")) {
      fold.open = active || (!narrow.matches && !fold.hasAttribute("data-fold-desk"));
    }
  };
  fit();
  narrow.addEventListener("change", fit);
})();
