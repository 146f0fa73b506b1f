// Every page (WCAG 2.1 AA, issue 24): after a refused save the summary of what to check
// takes the focus, so it is read first; its links move the focus to the field itself (a
// plain link to a fragment scrolls but leaves the focus where it was). A page opened on a
// field's address (a summary's link to another section) puts the focus in that field.
(function () {
  "use strict";

  function controlIn(target) {
    if (target.matches("input, select, textarea")) return target;
    return (
      target.querySelector("[aria-invalid=true]") ||
      target.querySelector("input:not([type=hidden]):not([disabled]), select, textarea")
    );
  }

  function focusField(id) {
    const target = document.getElementById(id);
    const control = target && controlIn(target);
    if (!control) return false;
    target.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
    return true;
  }

  const summary = document.querySelector("[data-error-summary]");
  const hash = decodeURIComponent(location.hash.slice(1));
  if (!(hash.startsWith("field-") && focusField(hash)) && summary) summary.focus();
  if (!summary) return;
  // A page sent from an address with a fragment (#content, after the skip link) comes
  // back with it, and the browser focuses that target as the page loads: the summary
  // takes the focus back.
  window.addEventListener("load", () => {
    if (hash && document.activeElement === document.getElementById(hash)) summary.focus();
  });
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href*='#']");
    if (!link) return;
    const url = new URL(link.href);
    if (url.pathname !== location.pathname || url.search !== location.search) return;
    if (focusField(decodeURIComponent(url.hash.slice(1)))) event.preventDefault();
  });
})();
