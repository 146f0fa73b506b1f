// Logging out clears the copies of typed answers that entry.js keeps in this browser until
// the server has them (keys "collector:…" for reports, "designer:…" for the form designer),
// so that the next person at a shared computer cannot bring them back. Served from this
// origin (the CSP forbids inline scripts).
(function () {
  "use strict";
  const PREFIXES = ["collector:", "designer:"];

  function clearKeptAnswers() {
    try {
      for (let i = localStorage.length - 1; i >= 0; i -= 1) {
        const key = localStorage.key(i);
        if (key && PREFIXES.some(function (prefix) { return key.startsWith(prefix); })) {
          localStorage.removeItem(key);
        }
      }
    } catch (error) {
      // Storage switched off in this browser: nothing was kept.
    }
  }

  for (const form of document.querySelectorAll("form[data-logout]")) {
    form.addEventListener("submit", clearKeptAnswers);
  }
})();
