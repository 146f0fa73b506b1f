// A survey page's progress as the respondent answers: the questions answered among those
// shown (live-form.js, loaded before, has shown or hidden them on the same event). The
// server draws the same count for a page without scripts.
//
// A survey whose form asks for pages (data-paged, `section_pages` in its schema) shows one
// section at a time: the sections the answers open, in order, with «Назад» and «Далее»;
// «Отправить» on the last. The progress counts the whole survey. A page sent back with
// errors opens at the first section with one. Without scripts it is all one page.
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

  const nav = document.getElementById("survey-pages");
  if (form.dataset.paged === undefined || !nav) return;
  const sections = Array.from(form.querySelectorAll("section[data-section]"));
  const back = nav.querySelector("[data-page=back]");
  const next = nav.querySelector("[data-page=next]");
  const send = form.querySelector("button[type=submit]");
  const pageText = document.getElementById("page-text");
  // The sections the answers so far open (live-form.js hides the others).
  const pages = () => sections.filter((section) => !section.hidden);
  let current = null;

  function show(section) {
    const open = pages();
    if (!open.length) return;
    const index = Math.max(0, open.indexOf(section));
    current = open[index];
    for (const one of sections) one.classList.toggle("d-none", one !== current);
    const last = index === open.length - 1;
    back.hidden = index === 0;
    next.hidden = last;
    send.hidden = !last;
    pageText.textContent = form.dataset.pageTemplate
      .replace("{page}", String(index + 1))
      .replace("{pages}", String(open.length));
  }

  function go(step) {
    const open = pages();
    show(open[Math.min(open.length - 1, Math.max(0, open.indexOf(current) + step))]);
    form.scrollIntoView({ block: "start" });
  }

  back.addEventListener("click", () => go(-1));
  next.addEventListener("click", () => go(1));
  // The answers may open or close sections: the page stays where it is (or goes to the
  // nearest open one before it).
  form.addEventListener("change", function () {
    if (current && current.hidden) {
      const before = sections.slice(0, sections.indexOf(current)).filter((s) => !s.hidden);
      show(before[before.length - 1] || pages()[0]);
    } else {
      show(current);
    }
  });
  // Enter in a field before the last page goes on instead of sending half the survey.
  form.addEventListener("submit", function (event) {
    if (send.hidden) {
      event.preventDefault();
      go(1);
    }
  });
  // The error summary's links lead to a question on its page.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[href^='#field-']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (target && form.contains(target)) show(target.closest("section[data-section]"));
  });
  nav.hidden = false;
  const refused = form.querySelector(".is-invalid, .invalid-feedback");
  show(refused ? refused.closest("section[data-section]") : pages()[0]);
})();
