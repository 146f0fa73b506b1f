// The report charts: every <canvas class="collector-chart" data-chart="{...}"> is drawn
// with the vendored Chart.js (static/vendor/chartjs-*/chart.umd.min.js, loaded before this
// file). The JSON is made by collector/reports/charts.py:
//   {"kind": "stacked_bar" | "bar_with_target" | "distribution", "title": "...",
//    "labels": [...], "series": [{"label": "...", "values": [...], "color": "#..."}],
//    "target": 80 | null, "target_label": "...", "unit": "%", "horizontal": true,
//    "height": 1200, "label_lines": 2}
// `height` (px) is how tall the chart must be for every name beside its bar to have room
// (reports/charts.py decides it from the number of bars): the chart's box grows to it.
// The page always shows the same numbers in a table, so when Chart.js is missing or the
// JSON is bad the canvas is left alone. Served from this origin (the CSP forbids inline
// scripts); Chart.js only sets the canvas size through the CSSOM, which the CSP allows.
(function () {
  "use strict";

  const SELECTOR = "canvas.collector-chart[data-chart]";
  const KINDS = ["stacked_bar", "bar_with_target", "distribution"];
  // Okabe–Ito colours (distinguishable with colour-blindness), then a neutral grey.
  const PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00",
    "#CC79A7", "#56B4E9", "#8C6D31", "#6C757D",
  ];
  const TARGET_COLOUR = "#212529";
  const LONG_LABEL = 20; // characters; distribution charts go horizontal past this

  function locale() {
    return document.documentElement.lang || "ru";
  }

  function formatNumber(value, unit) {
    if (typeof value !== "number" || !isFinite(value)) return "";
    const options = { maximumFractionDigits: unit === "%" ? 1 : 2 };
    let text;
    try {
      text = value.toLocaleString(locale(), options);
    } catch (e) { // a language tag the browser does not know
      text = value.toLocaleString("ru", options);
    }
    return unit ? text + "\u00a0" + unit : text;
  }

  // A long Russian name as at most `maxLines` lines of about `width` characters, cut
  // with an ellipsis; Chart.js draws an array label as several lines.
  function wrapLabel(label, width, maxLines) {
    const cut = (text) => (text.length > width ? text.slice(0, width - 1) + "…" : text);
    const words = String(label == null ? "" : label).split(/\s+/).filter(Boolean);
    const lines = [];
    let line = "";
    for (const word of words) {
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += " " + word;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
    if (lines.length > maxLines) {
      lines.length = maxLines;
      const last = lines[maxLines - 1];
      lines[maxLines - 1] = last.length < width ? last + "…" : last.slice(0, width - 1) + "…";
    }
    const shown = lines.map(cut);
    return shown.length > 1 ? shown : shown[0] || "";
  }

  function parseSpec(canvas) {
    let spec;
    try {
      spec = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      return null;
    }
    if (!spec || typeof spec !== "object" || !KINDS.includes(spec.kind)) return null;
    if (!Array.isArray(spec.labels) || !Array.isArray(spec.series)) return null;
    for (const series of spec.series) {
      if (!series || typeof series !== "object" || !Array.isArray(series.values)) return null;
    }
    return spec;
  }

  function numberOrNull(value) {
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  // Half the width (height, for horizontal bars) of one category of the plot, less a
  // little: the length of the target mark when there is only one category.
  function categoryHalfWidth(chart, axis) {
    const area = chart.chartArea;
    if (!area) return 0;
    const length = axis === "x" ? area.right - area.left : area.bottom - area.top;
    return Math.max(0, length / Math.max(chart.data.labels.length, 1) / 2 * 0.9);
  }

  // Chart.js's legend items, with the target line's sample dashed like the line.
  function legendLabels(chart) {
    const items = window.Chart.defaults.plugins.legend.labels.generateLabels(chart);
    for (const item of items) {
      const dataset = chart.data.datasets[item.datasetIndex];
      if (dataset && dataset.type === "line") {
        item.lineDash = dataset.borderDash;
        item.lineWidth = dataset.borderWidth;
        item.rotation = 0; // the sample stays level beside horizontal bars too
      }
    }
    return items;
  }

  function buildConfig(spec) {
    const labels = spec.labels.map((label) => String(label == null ? "" : label));
    const unit = typeof spec.unit === "string" ? spec.unit : "";
    const stacked = spec.kind === "stacked_bar";
    let horizontal = spec.horizontal;
    if (typeof horizontal !== "boolean") {
      horizontal = spec.kind === "distribution" && labels.some((l) => l.length > LONG_LABEL);
    }
    const categoryAxis = horizontal ? "y" : "x";
    const valueAxis = horizontal ? "x" : "y";

    const datasets = spec.series.map((series, i) => {
      const colour = typeof series.color === "string" && series.color
        ? series.color : PALETTE[i % PALETTE.length];
      return {
        type: "bar",
        label: series.label == null ? "" : String(series.label),
        data: labels.map((_, j) => numberOrNull(series.values[j])),
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: 0,
        pointStyle: "rect", // the legend's box
        order: 1,
      };
    });

    const target = numberOrNull(spec.target);
    if (spec.kind === "bar_with_target" && target !== null) {
      // The target as a dashed line: a plain line dataset with the target at every
      // category (so no annotation plugin is needed), from the middle of the first
      // category to the middle of the last; the tooltip of a bar shows the target too.
      // A line of one point is not drawn, so with one category the point itself is
      // drawn as a line across the category. order 0 draws it over the bars.
      const single = labels.length === 1;
      datasets.push({
        type: "line",
        label: spec.target_label ? String(spec.target_label) : formatNumber(target, unit),
        data: labels.map(() => target),
        borderColor: TARGET_COLOUR,
        backgroundColor: TARGET_COLOUR,
        borderWidth: 2,
        borderDash: [6, 4],
        pointStyle: "line", // also the legend's sample: a line, not a box
        pointRotation: horizontal ? 90 : 0,
        pointBorderWidth: 2,
        pointRadius: single ? (context) => categoryHalfWidth(context.chart, categoryAxis) : 0,
        pointHoverRadius: single ? (context) => categoryHalfWidth(context.chart, categoryAxis) : 0,
        pointHitRadius: 0,
        fill: false,
        tension: 0,
        order: 0,
      });
    }

    const scales = {};
    // Category labels: several short lines under vertical bars, longer lines beside
    // horizontal ones; the tooltip title keeps the whole name.
    const wrapWidth = horizontal ? 32 : 16;
    const lines = Number.isInteger(spec.label_lines) && spec.label_lines > 0 ? spec.label_lines : 3;
    scales[categoryAxis] = {
      stacked: stacked,
      ticks: {
        autoSkip: false,
        callback: function (value) {
          return wrapLabel(this.getLabelForValue(value), wrapWidth, lines);
        },
      },
      grid: { display: false },
    };
    scales[valueAxis] = {
      stacked: stacked,
      beginAtZero: true,
      ticks: { callback: (value) => formatNumber(value, unit) },
    };
    // Shares stacked to 100 %: the axis ends there (rounded shares may add up to 100.1).
    if (stacked && unit === "%") scales[valueAxis].max = 100;
    // Counts of reports and answers: whole-number ticks only.
    if (spec.kind !== "bar_with_target") scales[valueAxis].ticks.precision = 0;

    const byDataset = (a, b) => a.datasetIndex - b.datasetIndex;
    return {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        locale: locale(),
        // Pointing at a bar shows every series (and the target) of its category.
        interaction: { mode: "index", axis: categoryAxis, intersect: true },
        scales: scales,
        plugins: {
          title: { display: Boolean(spec.title), text: spec.title ? String(spec.title) : "" },
          legend: {
            position: "bottom",
            labels: {
              sort: byDataset,
              usePointStyle: true,
              pointStyleWidth: 28,
              generateLabels: legendLabels,
            },
          },
          tooltip: {
            itemSort: byDataset,
            callbacks: {
              label: (item) => {
                const value = formatNumber(item.parsed[valueAxis], unit);
                return item.dataset.label ? item.dataset.label + ": " + value : value;
              },
            },
          },
        },
      },
    };
  }

  // A chart of many bars needs more height than its box has: the box grows (through the
  // CSSOM, which the CSP allows), never shrinks.
  function fitBox(canvas, spec) {
    const height = numberOrNull(spec.height);
    const box = canvas.parentElement;
    if (height === null || !box || box.clientHeight >= height) return;
    box.style.height = Math.ceil(height) + "px";
  }

  // Draw one canvas; the chart, or null when it cannot (no Chart.js, bad JSON).
  function draw(canvas) {
    const Chart = window.Chart;
    if (typeof Chart !== "function") return null;
    const existing = Chart.getChart(canvas);
    if (existing) return existing;
    const spec = parseSpec(canvas);
    if (!spec) return null;
    fitBox(canvas, spec);
    try {
      return new Chart(canvas, buildConfig(spec));
    } catch (e) { // the table next to the canvas has the numbers anyway
      return null;
    }
  }

  // Draw every chart canvas in `root` (the document by default) that is not drawn yet;
  // the charts of all of them. Called on DOMContentLoaded; call it again for canvases
  // added later.
  function drawAll(root) {
    if (typeof window.Chart !== "function") return [];
    const scope = root || document;
    const canvases = Array.from(scope.querySelectorAll(SELECTOR));
    if (scope.matches && scope.matches(SELECTOR)) canvases.unshift(scope);
    const charts = [];
    for (const canvas of canvases) {
      const chart = draw(canvas);
      if (chart) charts.push(chart);
    }
    return charts;
  }

  function ourCharts() {
    const Chart = window.Chart;
    if (typeof Chart !== "function" || !Chart.instances) return [];
    return Object.values(Chart.instances).filter(
      (chart) => chart.canvas && chart.canvas.classList.contains("collector-chart"));
  }

  // Fit the printed page width on the way to the printer, and the screen afterwards.
  // Chromium fires beforeprint while the page still has its screen layout and switches
  // to the print layout just after, so the print media query is followed too.
  function resizeAll() {
    for (const chart of ourCharts()) chart.resize();
  }

  window.CollectorCharts = { drawAll: drawAll, draw: draw, resizeAll: resizeAll };
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    const print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", resizeAll);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  } else {
    drawAll(document);
  }
})();
