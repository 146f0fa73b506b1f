// A job's page: asks the server for the job's state every second and moves the progress
// bar, without reloading, until the job is done (then offers the file) or has failed.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box) return;
  const bar = box.querySelector("progress");
  const stateText = document.getElementById("job-state");
  const detail = document.getElementById("job-detail");
  const error = document.getElementById("job-error");
  const download = document.getElementById("job-download");
  const texts = box.dataset;

  function show(status) {
    box.dataset.state = status.state;
    if (status.percent !== null && status.percent !== undefined) bar.value = status.percent;
    stateText.textContent = texts[status.state + "Text"] || status.state;
    if (status.stage) {
      detail.textContent = status.stage + (status.total
        ? ": " + status.done.toLocaleString() + " / " + status.total.toLocaleString() + " " + texts.rowsText
        : "");
    }
    if (status.state === "failed") {
      error.textContent = status.message || "";
      error.classList.remove("d-none");
    }
    if (status.state === "done" && status.has_outcome && box.dataset.state !== "shown") {
      // A report to read (an import's): the page shows it once reloaded.
      box.dataset.state = "shown";
      window.location.reload();
      return;
    }
    if (status.download) {
      bar.value = 100;
      download.href = status.download;
      download.classList.remove("d-none");
    }
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      if (response.ok) show(await response.json());
    } catch (ignored) {
      // The next poll tries again.
    }
    if (box.dataset.state === "queued" || box.dataset.state === "running") {
      setTimeout(poll, 1000);
    }
  }

  if (box.dataset.state === "queued" || box.dataset.state === "running") setTimeout(poll, 500);
})();
