// The form designer: drag-and-drop (SortableJS) of the outline and of options, rows and
// columns, with ↑ ↓ buttons doing the same from the keyboard; field ids inserted into
// expressions from a list; the preview's size and its reload after each autosave.
(function () {
  "use strict";
  const form = document.getElementById("designer-form");
  const csrf = document.querySelector("input[name=csrf_token]");
  const state = document.getElementById("autosave-state");

  // A question's id made from its label comes back with the autosave: the page's input
  // shows it, so the next save sends it and a formula can name it.
  if (form) {
    form.addEventListener("autosaved", function (event) {
      const made = event.detail && event.detail.field_id;
      const input = form.querySelector("input[name=id]");
      if (made && input && input.value !== made) input.value = made;
    });
  }

  // --- options, rows, columns: the order of the rows is the order of the names ---------
  function renumber(body) {
    const prefix = body.dataset.prefix;
    const pattern = new RegExp("^" + prefix + "-\\d+-");
    Array.from(body.rows).forEach(function (row, index) {
      row.querySelectorAll("input, select, textarea, label").forEach(function (el) {
        for (const attr of ["name", "id", "for"]) {
          const value = el.getAttribute(attr);
          if (value && pattern.test(value)) el.setAttribute(attr, value.replace(pattern, prefix + "-" + index + "-"));
        }
      });
    });
    if (form) form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.querySelectorAll("tbody.sortable-rows").forEach(function (body) {
    Sortable.create(body, { handle: ".drag-handle", animation: 120, onEnd: function () { renumber(body); } });
    body.addEventListener("click", function (event) {
      const button = event.target.closest(".row-up, .row-down");
      if (!button) return;
      const row = button.closest("tr");
      const up = button.classList.contains("row-up");
      const other = up ? row.previousElementSibling : row.nextElementSibling;
      if (!other) return;
      if (up) body.insertBefore(row, other); else body.insertBefore(other, row);
      renumber(body);
      button.focus();
    });
  });

  // --- the outline: sections and fields dragged, the new order saved at once -----------
  // (drawn again after each autosave: its lists are bound again then)
  function initOutline() {
    const outline = document.getElementById("outline-sections");
    if (!outline) return;
    function saveOrder() {
      const order = Array.from(outline.querySelectorAll(":scope > li.outline-section")).map(function (section) {
        const fields = Array.from(section.querySelectorAll("ol.outline-fields > li")).map(function (f) { return f.dataset.key; });
        return [section.dataset.key].concat(fields);
      });
      fetch(outline.dataset.orderUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ order: order, revision: outline.dataset.revision }),
      }).then(function (response) {
        if (response.ok) { window.location.reload(); return; }
        if (state) state.textContent = outline.dataset.refusedText || "";
      }).catch(function () {
        if (state) state.textContent = outline.dataset.refusedText || "";
      });
    }
    Sortable.create(outline, { handle: ".drag-handle", draggable: "li.outline-section", animation: 120, onEnd: saveOrder });
    outline.querySelectorAll("ol.outline-fields").forEach(function (list) {
      Sortable.create(list, { group: "fields", handle: ".drag-handle", animation: 120, onEnd: saveOrder });
    });
  }
  initOutline();
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "outline-box") initOutline();
  });

  // --- expressions: a field id inserted where the cursor is -----------------------------
  document.querySelectorAll("select.field-picker").forEach(function (picker) {
    picker.addEventListener("change", function () {
      const input = document.getElementById(picker.dataset.target);
      if (!input || !picker.value) return;
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? input.value.length;
      input.value = input.value.slice(0, start) + picker.value + input.value.slice(end);
      const caret = start + picker.value.length;
      picker.value = "";
      input.focus();
      input.setSelectionRange(caret, caret);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // --- the preview: desktop or phone size, redrawn after every save ---------------------
  const frame = document.getElementById("preview-frame");
  const preview = document.getElementById("preview");
  document.querySelectorAll("button.preview-size").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll("button.preview-size").forEach(function (b) {
        const chosen = b === button;
        b.classList.toggle("active", chosen);
        b.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
      frame.classList.toggle("preview-phone", button.dataset.size === "phone");
      frame.classList.toggle("preview-desktop", button.dataset.size !== "phone");
    });
  });
  if (form) {
    form.addEventListener("autosaved", function (event) {
      const result = event.detail || {};
      if (result.element && result.element !== form.dataset.element) {
        // The question moved to another section: its place, and so its page, changed.
        const url = new URL(window.location.href);
        url.searchParams.set("element", result.element);
        window.location.assign(url.toString());
        return;
      }
      if (preview) preview.contentWindow.location.reload();
      // The outline is drawn again with the new revision; the other buttons take it here.
      document.querySelectorAll("input[name=revision]").forEach(function (input) { input.value = String(result.revision); });
    });
  }
})();
