// Conditions and rules as the user types (data entry and survey pages). The page carries
// its form's expressions and how to read each field (collector/schema/live.py) in
// <script type="application/json" id="live-form" data-form="…">; expressions.js evaluates
// them as the server does. Questions whose `visible_if` is not definitely true are
// hidden, a broken rule's message shows beside its fields, and answers typed into
// questions now hidden stay in their inputs (the draft keeps them in this browser) and are
// listed as not to be sent; totals and what is left of a total follow the answers. Without
// this script the page works as before (the server writes the totals of what it was
// given); either way the server runs everything again on save and submit.
(function () {
  "use strict";
  const block = document.getElementById("live-form");
  const X = window.CollectorExpressions;
  if (!block || !X) return;
  const live = JSON.parse(block.textContent);
  const form = document.getElementById(block.dataset.form);
  if (!form) return;

  const named = (name) => Array.from(form.querySelectorAll(`[name="${CSS.escape(name)}"]`));
  const first = (name) => named(name)[0] || null;
  const checked = (name) => named(name).filter((el) => el.checked).map((el) => el.value);

  // As collector.schema.values.clean_text: line breaks as \n, NFC, blanks around removed.
  const clean = (text) => text.replace(/\r\n?/g, "\n").normalize("NFC").trim();
  // As WholeNumberField and TypedDecimalField read what a person types.
  const SPACES = /[\s\u00a0\u202f]/g;
  const WHOLE = /^[+-]?[0-9]+$/;
  const DECIMAL = /^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$/;

  // A single input's value as the server stores it and expressions then read it
  // (FieldKind.answer, then FieldKind.readable): by the reader its kind names.
  const READERS = {
    text(name) {
      const el = first(name);
      return el ? clean(el.value) || null : null;
    },
    integer(name) {
      const el = first(name);
      const text = el ? el.value.replace(SPACES, "") : "";
      if (!WHOLE.test(text)) return null;
      return X.number(new X.Raw("int", BigInt(text).toString()));
    },
    decimal(name) {
      const el = first(name);
      const text = el ? el.value.replace(SPACES, "") : "";
      if (!DECIMAL.test(text)) return null;
      return X.number(text.replace(",", "."));
    },
    yes_no(name) {
      const [value] = checked(name);
      return value === "yes" ? true : value === "no" ? false : null;
    },
    choice(name) {
      const [value] = checked(name);
      return value || null;
    },
    number_choice(name) {
      const [value] = checked(name);
      return value && WHOLE.test(value) ? X.number(new X.Raw("int", value)) : null;
    },
    choices(name) {
      const values = checked(name).filter(Boolean);
      return values.length ? values : null;
    },
    date(name) {
      const el = first(name);
      return el && /^\d{4}-\d{2}-\d{2}$/.test(el.value) ? el.value : null;
    },
    // A file question reads as the file's name: one chosen now, else the one kept
    // (none once «Remove the file» is ticked).
    file(name) {
      const el = first(name);
      if (!el) return null;
      if (el.files && el.files.length) return el.files[0].name;
      const removing = first(name + "-remove");
      if (removing && removing.checked) return null;
      return el.dataset.storedName || null;
    },
  };

  /** The field's stored value and the dotted names below it (evaluate.context). */
  function readField(id, field, values) {
    if (field.reader === "grid") {
      const grid = {};
      for (const row of field.rows) {
        for (const column of field.columns) {
          const value = READERS[column.reader](`${id}-${row}__${column.id}`);
          values[`${id}.${row}.${column.id}`] = value;
          if (value !== null) (grid[row] = grid[row] || {})[column.id] = value;
        }
      }
      values[id] = Object.keys(grid).length ? grid : null;
    } else if (field.reader === "table") {
      const prefix = `${id}-`;
      const indexes = new Set();
      for (const el of form.querySelectorAll(`[name^="${CSS.escape(prefix)}"]`)) {
        const index = el.name.slice(prefix.length).split("-")[0];
        if (/^\d+$/.test(index)) indexes.add(Number(index));
      }
      const rows = [];
      for (const index of [...indexes].sort((a, b) => a - b)) {
        const row = {};
        for (const column of field.columns) {
          const value = READERS[column.reader](`${id}-${index}-${column.id}`);
          if (value !== null) row[column.id] = value;
        }
        if (Object.keys(row).length) rows.push(row);
      }
      values[id] = rows.length ? rows : null;
      for (const column of field.columns) {
        values[`${id}.${column.id}`] = rows.map((row) => (column.id in row ? row[column.id] : null));
      }
    } else if (field.reader === "person") {
      const record = {};
      const prefix = `${id}-`;
      for (const el of form.querySelectorAll(`[name^="${CSS.escape(prefix)}"]`)) {
        const text = clean(el.value);
        if (text) record[el.name.slice(prefix.length)] = text;
      }
      values[id] = Object.keys(record).length ? record : null;
    } else {
      values[id] = (READERS[field.reader] || READERS.text)(id);
    }
  }

  const known = {};
  for (const [name, value] of Object.entries(live.known)) known[name] = X.fromJson(value);
  const onPage = Object.entries(live.fields).filter(([, field]) => field.on_page);
  const wrapper = (id) => form.querySelector(`[data-field="${CSS.escape(id)}"]`);
  const shownInput = form.querySelector("input[name=shown]");
  const hiddenList = document.getElementById("hidden-answers");

  function showRule(rule) {
    for (const id of rule.fields) {
      const place = live.fields[id] && live.fields[id].on_page ? wrapper(id) : null;
      if (!place) continue;
      // The server's own message for the same rule (a page shown after a save) says it.
      const warning = rule.severity === "warning";
      // A warning the server showed has its own box (with the confirmation) there.
      const said = warning
        ? place.querySelector(`.soft-warning[data-rule="${CSS.escape(rule.id)}"]`) !== null
        : Array.from(place.querySelectorAll(".invalid-feedback:not(.live-rule)"))
          .some((el) => el.textContent.trim() === rule.message);
      if (said) continue;
      const message = document.createElement("div");
      // A warning (a soft rule): unusual but maybe true, a yellow note, not an error.
      message.className = warning
        ? "form-text d-block live-rule alert alert-warning small py-1 px-2 mt-1 mb-0"
        : "invalid-feedback d-block live-rule";
      message.dataset.testid = warning ? "live-warning" : "live-rule";
      message.dataset.rule = rule.id;
      message.id = `live-rule-${rule.id}-${id}`;
      message.textContent = rule.message;
      place.appendChild(message);
      link(place, message.id, !warning);
    }
  }

  // A message shown here is linked to its field's controls as the server links its own
  // (collector.forms.control_attributes): aria-describedby names it, and an error (not
  // a warning) sets aria-invalid. What the server set is kept and put back.
  const linked = new Set();
  function controls(place) {
    return Array.from(place.querySelectorAll("fieldset, input, select, textarea")).filter(
      (el) => el.type !== "hidden" && !el.closest(".soft-warning"),
    );
  }
  function link(place, id, invalid) {
    for (const el of controls(place)) {
      if (!linked.has(el)) {
        el.dataset.baseDescribedby = el.getAttribute("aria-describedby") || "";
        el.dataset.baseInvalid = el.getAttribute("aria-invalid") || "";
        linked.add(el);
      }
      const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      el.setAttribute("aria-describedby", [...ids, id].join(" "));
      // A fieldset is a group: it is described, its controls are invalid.
      if (invalid && el.tagName !== "FIELDSET") el.setAttribute("aria-invalid", "true");
    }
  }
  function unlink() {
    for (const el of linked) {
      const restore = (name, value) =>
        value ? el.setAttribute(name, value) : el.removeAttribute(name);
      restore("aria-describedby", el.dataset.baseDescribedby);
      restore("aria-invalid", el.dataset.baseInvalid);
    }
  }

  // Totals and what is left of a total (collector.schema.derived), each in the line the
  // server drew beside its field, written from its template.
  function showDerived(worked) {
    for (const line of form.querySelectorAll("[data-derived]")) {
      const numbers = worked[line.dataset.derived];
      if (numbers === undefined) continue;
      line.hidden = numbers === null;
      if (numbers === null) continue;
      line.textContent = line.dataset.template.replace(/\{(\w+)\}/g, (whole, name) =>
        name in numbers ? X.shownNumber(numbers[name], live.decimal_mark) : whole,
      );
    }
  }

  function refresh() {
    const values = Object.assign({}, known);
    for (const [id, field] of onPage) readField(id, field, values);
    let visible;
    let failed;
    let worked;
    try {
      visible = X.visibleFieldIds(live, values);
      // Rules and totals read the answers the server keeps: those of visible questions.
      const kept = X.keptValues(live, values, visible);
      failed = X.failedRules(live, kept);
      worked = X.derivedValues(live, kept);
    } catch (error) {
      return; // a tree this script cannot read: the server decides on save
    }
    const notSent = [];
    for (const [id, field] of onPage) {
      const place = wrapper(id);
      if (!place) continue;
      place.hidden = !visible.has(id);
      if (place.hidden && X.answered(values[id])) notSent.push([id, field.label]);
    }
    for (const section of form.querySelectorAll("[data-section]")) {
      const spec = live.sections.find((s) => s.id === section.dataset.section);
      if (spec) section.hidden = !spec.fields.some((id) => visible.has(id));
    }
    for (const note of document.querySelectorAll("[data-section-hidden]")) {
      const spec = live.sections.find((s) => s.id === note.dataset.sectionHidden);
      if (spec) note.hidden = spec.fields.some((id) => visible.has(id));
    }
    for (const old of form.querySelectorAll(".live-rule")) old.remove();
    unlink();
    failed.forEach(showRule);
    showDerived(worked);
    // A warning box the server drew goes away once its rule holds for what is typed.
    for (const box of form.querySelectorAll(".soft-warning[data-rule]")) {
      box.hidden = !failed.some((rule) => rule.id === box.dataset.rule);
    }
    // A survey's page says which questions it showed (the server asks about the rest).
    if (shownInput) shownInput.value = [...visible].sort().join(",");
    if (hiddenList) {
      const list = hiddenList.querySelector("ul");
      // The server listed those of the other sections (of the stored answers): kept.
      const elsewhere = Array.from(list.children).filter((item) => {
        const field = live.fields[item.dataset.fieldId];
        return !field || !field.on_page;
      });
      list.replaceChildren(
        ...elsewhere,
        ...notSent.map(([id, label]) => {
          const item = document.createElement("li");
          item.dataset.fieldId = id;
          item.textContent = label;
          return item;
        }),
      );
      hiddenList.hidden = list.children.length === 0;
    }
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
