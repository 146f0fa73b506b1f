// A survey page's progress as the respondent answers: the questions answered among those
// shown (live-form.js, loaded before, has shown or hidden them on the same event). The
// server draws the same count for a page without scripts.
(function () {
  "use strict";
  const form = document.getElementById("survey-form");
  const bar = document.querySelector("[data-testid=progress] progress");
  const text = document.getElementById("progress-text");
  if (!form || !bar || !text) return;

  function answered(question) {
    return Array.from(question.querySelectorAll("input, select, textarea")).some((el) =>
      el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== ""
    );
  }

  function update() {
    const shown = Array.from(form.querySelectorAll("[data-field]")).filter(
      (question) => !question.closest("[hidden]")
    );
    const done = shown.filter(answered).length;
    bar.max = shown.length;
    bar.value = done;
    text.textContent = bar.dataset.template
      .replace("{answered}", String(done))
      .replace("{total}", String(shown.length));
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
