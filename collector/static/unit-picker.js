// The audience picker of a new campaign (templates/campaigns/new.html): a search box that
// hides the organisations whose name and code do not hold the typed words and opens the
// groups that still show some. The list works without it (the box stays hidden); served
// from this origin, no library (the CSP forbids inline scripts).
(function () {
  "use strict";

  function normal(text) {
    return text.toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ").trim();
  }

  function setUp(picker) {
    const input = picker.querySelector("[data-unit-filter]");
    if (!input) {
      return;
    }
    const groups = Array.from(picker.querySelectorAll("[data-unit-group]"));
    const wasOpen = new Map(groups.map(function (group) { return [group, group.open]; }));
    input.hidden = false;
    input.addEventListener("input", function () {
      const words = normal(input.value).split(" ").filter(Boolean);
      groups.forEach(function (group) {
        let shown = 0;
        group.querySelectorAll("[data-unit-item]").forEach(function (item) {
          const text = normal(item.getAttribute("data-search") || "");
          const match = words.every(function (word) { return text.includes(word); });
          item.hidden = !match;
          if (match) {
            shown += 1;
          }
        });
        group.hidden = shown === 0;
        group.open = words.length ? shown > 0 : wasOpen.get(group);
      });
    });
  }

  document.querySelectorAll("[data-unit-picker]").forEach(setUp);
})();
