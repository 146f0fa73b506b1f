// Data entry and the form designer: autosave a few seconds after typing stops, and keep a copy of the typed
// values in this browser until the server has them, so that a lost session or network
// never loses an answer. Served from this origin (the CSP forbids inline scripts).
// logout.js clears these copies when the user logs out (keys "collector:…" and "designer:…").
//
// A survey page (data-keep="browser") has no autosave: nobody's answer is stored on the
// server before it is sent. Its copy is kept here under the link and the form version,
// restored when the link is opened again, and cleared by the thanks page
// (data-clear-storage) once the server has the answer.
(function () {
  "use strict";
  for (const done of document.querySelectorAll("[data-clear-storage]")) {
    try { localStorage.removeItem(done.dataset.clearStorage); } catch (error) { /* off */ }
  }
  const form = document.querySelector("form[data-storage-key]");
  if (!form) return;
  const key = form.dataset.storageKey;
  const browserOnly = form.dataset.keep === "browser";
  if (!form.dataset.autosaveUrl && !browserOnly) {
    // A report that cannot be changed now: what this browser kept is not worth restoring.
    if (key) localStorage.removeItem(key);
    return;
  }
  try { localStorage.getItem(key); } catch (error) { return; } // storage switched off
  const state = document.getElementById("autosave-state");
  // A survey's copy belongs to the form version its key names.
  const revision = form.querySelector("input[name=revision]") || { value: "" };
  const say = (text) => { if (state) state.textContent = text; };

  function isValueField(el) {
    return el.name && !["hidden", "submit", "button", "file"].includes(el.type);
  }

  // A file past its question's limit is refused here, beside its field, before anything
  // is sent (the server checks again): the rest of the page stays as typed.
  for (const picker of form.querySelectorAll("input[type=file][data-max-bytes]")) {
    let note = null;
    const described = picker.getAttribute("aria-describedby");
    picker.addEventListener("change", function () {
      const file = picker.files && picker.files[0];
      const tooLarge = Boolean(file) && file.size > Number(picker.dataset.maxBytes);
      if (tooLarge && !note) {
        note = document.createElement("div");
        note.className = "invalid-feedback d-block";
        note.id = picker.id + "-too-large";
        note.dataset.testid = "file-too-large";
        picker.after(note);
        picker.setAttribute("aria-describedby", [described, note.id].filter(Boolean).join(" "));
      }
      if (tooLarge) {
        note.textContent = picker.dataset.tooLargeText || "";
        picker.classList.add("is-invalid");
        picker.value = "";
      } else if (note) {
        note.remove();
        note = null;
        if (described) picker.setAttribute("aria-describedby", described);
        else picker.removeAttribute("aria-describedby");
        picker.classList.remove("is-invalid");
      }
    });
  }

  function snapshot() {
    const values = {};
    for (const el of form.elements) {
      if (!isValueField(el)) continue;
      if (el.type === "checkbox" || el.type === "radio") values[el.name + "=" + el.value] = el.checked;
      else values[el.name] = el.value;
    }
    return values;
  }

  function restore(values) {
    for (const el of form.elements) {
      if (!isValueField(el)) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        const saved = values[el.name + "=" + el.value];
        if (saved !== undefined) el.checked = saved;
      } else if (values[el.name] !== undefined) {
        el.value = values[el.name];
      }
    }
  }

  // A copy left by a send that never reached the server belongs to this same revision.
  const kept = localStorage.getItem(key);
  if (kept) {
    try {
      const backup = JSON.parse(kept);
      const differs = JSON.stringify(backup.values) !== JSON.stringify(snapshot());
      if (backup.revision === revision.value && differs) {
        restore(backup.values);
        say(form.dataset.restoredText || "");
        // The questions the restored answers open, and the progress, follow them.
        form.dispatchEvent(new Event("change"));
      } else if (!browserOnly) {
        localStorage.removeItem(key);
      }
    } catch (error) {
      localStorage.removeItem(key);
    }
  }

  let timer = null;
  let dirty = false;
  let pending = null; // the autosave under way: a submit waits for its new revision

  function remember() {
    localStorage.setItem(key, JSON.stringify({ revision: revision.value, values: snapshot() }));
  }

  function autosave() {
    pending = send().finally(function () { pending = null; });
    return pending;
  }

  async function send() {
    if (!dirty) return;
    dirty = false;
    const body = new FormData(form);
    body.set("action", "autosave");
    // «Remove the file» takes effect when the page is sent, never by an autosave: a box
    // ticked and unticked meanwhile leaves the file where it was.
    for (const box of form.querySelectorAll("input[data-remove-file]")) body.delete(box.name);
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: body, credentials: "same-origin",
      });
      const answer = response.headers.get("Content-Type") || "";
      if (response.ok && answer.includes("application/json")) {
        const result = await response.json();
        revision.value = String(result.revision);
        localStorage.removeItem(key);
        say(form.dataset.savedText || "");
        form.dispatchEvent(new CustomEvent("autosaved", { detail: result }));
        return;
      }
      if (response.status === 422 && answer.includes("application/json")) {
        // A value the server refuses, named by its field's label (the rest stays kept here).
        const result = await response.json();
        const problems = (result.problems || []).map((p) => p.label + ": " + p.message);
        say([form.dataset.notSavedText || ""].concat(problems).join(" "));
        return;
      }
      if (response.status === 409 && answer.includes("application/json")) {
        const result = await response.json();
        if (result.locked) {
          // Submitted or accepted meanwhile (in another tab): nothing here will be saved.
          localStorage.removeItem(key);
          say(form.dataset.lockedText || "");
          return;
        }
      }
      say(form.dataset.notSavedText || "");
    } catch (error) {
      say(form.dataset.notSavedText || "");
    }
  }

  if (browserOnly) {
    // Kept as typed (and as it stands when sent: a send that fails keeps it).
    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
    form.addEventListener("submit", remember);
    return;
  }

  form.addEventListener("input", function () {
    dirty = true;
    remember();
    clearTimeout(timer);
    timer = setTimeout(autosave, Number(form.dataset.autosaveDelay || 3000));
  });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    remember();
    if (pending) {
      // Sent now, the page would carry the revision the autosave is replacing.
      event.preventDefault();
      const submitter = event.submitter;
      pending.then(function () { form.requestSubmit(submitter); });
    }
  });
})();
