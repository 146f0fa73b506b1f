"""The report charts in the browser: the vendored Chart.js and static/charts.js draw the
three kinds of chart from their `data-chart` JSON on a page of the app, under its CSP,
without a console error or a CSP violation; bad JSON or a missing Chart.js leaves the
canvas alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

CHARTJS = "/static/vendor/chartjs-4.6.1/chart.umd.min.js"
CHARTS = "/static/charts.js"
LONG_NAME = "Муниципальное казённое общеобразовательное учреждение «Средняя школа № 1»"

SPECS: dict[str, dict[str, Any]] = {
    "completeness": {
        "kind": "stacked_bar",
        "title": "Отчёты по состояниям",
        "labels": ["Город Калуга", "Бабынинский район", LONG_NAME],
        "series": [
            {"label": "принят", "values": [12, 3, 1], "color": "#198754"},
            {"label": "отправлен", "values": [2, 0, 4], "color": "#0d6efd"},
            {"label": "не начат", "values": [1, 5, 0]},
        ],
    },
    "indicator": {
        "kind": "bar_with_target",
        "title": "Доля обучающихся, охваченных профпробами",
        "labels": ["Город Калуга", "Бабынинский район", "Жуковский район"],
        "series": [{"label": "Доля", "values": [83.3, None, 1234.5]}],
        "target": 80,
        "target_label": "Целевое значение 2025/26",
        "unit": "%",
        "horizontal": False,
    },
    "indicator_no_target": {
        "kind": "bar_with_target",
        "labels": ["Город Калуга", "Бабынинский район"],
        "series": [
            {"label": "2024/25", "values": [40, 50]},
            {"label": "2025/26", "values": [45, None]},
        ],
        "target": None,
        "unit": "%",
    },
    "indicator_one_unit": {
        "kind": "bar_with_target",
        "labels": [LONG_NAME],
        "series": [{"label": "Доля", "values": [55]}],
        "target": 60,
        "unit": "%",
        "horizontal": True,
    },
    "distribution": {
        "kind": "distribution",
        "title": "Чем вы планируете заниматься после 9 класса?",
        "labels": [
            "Продолжить обучение в 10 классе своей школы",
            "Поступить в колледж или техникум по выбранной профессии",
            "Пока не решил(а)",
        ],
        "series": [
            {"label": "8 класс", "values": [10, 7, 3]},
            {"label": "9 класс", "values": [12, 9, 1]},
        ],
        "field": "plans",
        "total": 42,
    },
}

ADD_CANVASES = """(canvases) => {
  let place = document.getElementById("test-charts");
  if (!place) {
    place = document.createElement("div");
    place.id = "test-charts";
    document.body.prepend(place);
  }
  for (const [id, json] of canvases) {
    const box = document.createElement("div");
    box.className = "chart-box";
    const canvas = document.createElement("canvas");
    canvas.className = "collector-chart";
    canvas.id = id;
    canvas.dataset.chart = json;
    box.appendChild(canvas);
    place.appendChild(box);
  }
}"""

DESCRIBE = """(ids) => Object.fromEntries(ids.map((id) => {
  const chart = Chart.getChart(document.getElementById(id));
  if (!chart) return [id, null];
  const category = chart.options.indexAxis;
  const value = category === "x" ? "y" : "x";
  return [id, {
    type: chart.config.type,
    indexAxis: category,
    stacked: Boolean(chart.options.scales[value].stacked),
    animation: chart.options.animation,
    width: chart.width,
    height: chart.height,
    title: chart.options.plugins.title.display ? chart.options.plugins.title.text : null,
    legend: chart.options.plugins.legend.position,
    datasets: chart.data.datasets.map((d) => ({
      type: d.type, label: d.label, data: d.data, colour: d.backgroundColor,
      dash: d.borderDash || null, radius: d.pointRadius ?? null,
    })),
    // Along the category axis: the first and last points of the last dataset (the target
    // line, if any) and of the first one (bars), the first point's radius, the plot size.
    ends: (() => {
      const at = (meta) => [meta.data[0], meta.data[meta.data.length - 1]]
        .map((e) => Math.round(e[category]));
      const last = chart.getDatasetMeta(chart.data.datasets.length - 1);
      const area = chart.chartArea;
      return {
        line: at(last), bars: at(chart.getDatasetMeta(0)),
        radius: last.data[0].options.radius,
        plot: Math.round(category === "x" ? area.right - area.left : area.bottom - area.top),
      };
    })(),
    categoryTicks: chart.scales[category].ticks.map((t) => t.label),
    valueTicks: chart.scales[value].ticks.map((t) => t.label),
    tooltip: chart.config.options.plugins.tooltip.callbacks.label(
      {parsed: {x: 1234.5, y: 1234.5}, dataset: {label: "Доля"}}),
  }];
}))"""


@pytest.fixture
def chart_page(page, server):
    """A page of the app (its CSP applies) with Chart.js and charts.js loaded. The test
    fails at the end if the page printed a console error, threw, or violated the CSP."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # The app has no favicon; the browser's own request for it is not ours to judge.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console: {message.text} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => {"
        " (window.__violations = window.__violations || [])"
        ".push(e.violatedDirective + ' ' + e.blockedURI); });"
    )
    response = page.goto(server.url + "/login")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    page.add_script_tag(url=server.url + CHARTJS)
    page.add_script_tag(url=server.url + CHARTS)
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.evaluate("typeof window.CollectorCharts.drawAll") == "function"
    yield page
    problems.extend(page.evaluate("window.__violations || []"))
    assert problems == []


def test_three_kinds_are_drawn(chart_page):
    page = chart_page
    page.evaluate(ADD_CANVASES, [[id, json.dumps(spec)] for id, spec in SPECS.items()])
    drawn = page.evaluate("CollectorCharts.drawAll(document).map((chart) => chart.id)")
    assert len(drawn) == len(SPECS)
    # Drawing again leaves the charts as they are.
    assert page.evaluate("CollectorCharts.drawAll().map((chart) => chart.id)") == drawn
    charts = page.evaluate(DESCRIBE, list(SPECS))

    completeness = charts["completeness"]
    assert completeness["type"] == "bar"
    assert completeness["stacked"] is True
    assert completeness["animation"] is False
    assert completeness["legend"] == "bottom"
    assert completeness["title"] == "Отчёты по состояниям"
    assert completeness["height"] == 288  # .chart-box: 18rem
    assert completeness["width"] > 0
    assert [d["label"] for d in completeness["datasets"]] == ["принят", "отправлен", "не начат"]
    assert [d["type"] for d in completeness["datasets"]] == ["bar", "bar", "bar"]
    # The server's colours are kept; a series without one gets the palette's.
    colours = [d["colour"] for d in completeness["datasets"]]
    assert colours[:2] == ["#198754", "#0d6efd"] and colours[2].startswith("#")
    # A long name is wrapped into at most three lines, the last one cut.
    long_tick = completeness["categoryTicks"][2]
    assert isinstance(long_tick, list) and 1 < len(long_tick) <= 3
    assert long_tick[-1].endswith("…")

    indicator = charts["indicator"]
    assert indicator["indexAxis"] == "x"
    assert indicator["stacked"] is False
    assert [d["type"] for d in indicator["datasets"]] == ["bar", "line"]
    bars, target = indicator["datasets"]
    assert bars["data"] == [83.3, None, 1234.5]  # no data stays no data
    assert target["data"] == [80, 80, 80]
    assert target["label"] == "Целевое значение 2025/26"
    assert target["dash"] and target["radius"] == 0
    assert indicator["valueTicks"] and all(t.endswith("\u00a0%") for t in indicator["valueTicks"])
    assert indicator["tooltip"] == "Доля: 1\u00a0234,5\u00a0%"
    # The target line runs through the middle of every category, drawn as a line only.
    ends = indicator["ends"]
    assert ends["line"] == ends["bars"] and ends["line"][1] - ends["line"][0] > 500
    assert ends["radius"] == 0

    # With one category the point itself is the line, across most of the category.
    one_unit = charts["indicator_one_unit"]
    assert one_unit["indexAxis"] == "y"
    assert [d["type"] for d in one_unit["datasets"]] == ["bar", "line"]
    assert one_unit["datasets"][1]["data"] == [60]
    assert one_unit["datasets"][1]["label"] == "60\u00a0%"  # no target_label: the value
    ends = one_unit["ends"]
    assert ends["line"] == ends["bars"]
    assert ends["plot"] * 0.4 < ends["radius"] < ends["plot"] / 2

    distribution = charts["distribution"]
    assert distribution["indexAxis"] == "y"  # long answer options: horizontal by default
    assert distribution["stacked"] is False
    assert [d["label"] for d in distribution["datasets"]] == ["8 класс", "9 класс"]
    assert distribution["datasets"][0]["colour"] != distribution["datasets"][1]["colour"]

    # Pointing at a bar shows the bar and the target in the tooltip.
    x, y = page.evaluate(
        """() => {
          const canvas = document.getElementById("indicator");
          const bar = Chart.getChart(canvas).getDatasetMeta(0).data[0];
          const box = canvas.getBoundingClientRect();
          return [box.left + bar.x, box.top + (bar.y + bar.base) / 2];
        }"""
    )
    page.mouse.move(x, y)
    tooltip = page.evaluate(
        """() => Chart.getChart(document.getElementById("indicator")).tooltip.body
          .map((item) => item.lines.join(" "))"""
    )
    assert tooltip == ["Доля: 83,3\u00a0%", "Целевое значение 2025/26: 80\u00a0%"]

    # Printed, every chart is resized to the printed page's width, and back afterwards.
    # (This listener runs after charts.js's own ones.)
    page.evaluate(
        """() => {
          window.printLog = [];
          const canvas = document.getElementById("completeness");
          const record = (event) => window.printLog.push(
            [event, Chart.getChart(canvas).width, canvas.parentElement.clientWidth]);
          record("screen");
          matchMedia("print").addEventListener("change", (e) => record(e.matches));
        }"""
    )
    page.pdf()
    log = page.evaluate("window.printLog")
    assert [event for event, _, _ in log] == ["screen", True, False]
    (_, screen, _), (_, printed, printed_box), (_, back, _) = log
    assert printed == printed_box < screen == back


def test_bad_json_or_no_chartjs_leaves_the_canvas_alone(chart_page):
    page = chart_page
    bad = {
        "not_json": "{kind: stacked_bar",
        "unknown_kind": json.dumps({**SPECS["completeness"], "kind": "pie"}),
        "no_series": json.dumps({"kind": "distribution", "labels": ["a"]}),
    }
    page.evaluate(ADD_CANVASES, list(bad.items()))
    assert page.evaluate("CollectorCharts.drawAll(document).length") == 0
    page.evaluate(ADD_CANVASES, [["good", json.dumps(SPECS["distribution"])]])
    missing = page.evaluate(
        """() => {
          const chart = window.Chart;
          window.Chart = undefined;
          try { return CollectorCharts.drawAll(document).length; }
          finally { window.Chart = chart; }
        }"""
    )
    assert missing == 0
    untouched = page.evaluate(
        """(ids) => ids.map((id) => {
          const canvas = document.getElementById(id);
          return [Chart.getChart(canvas) === undefined, canvas.getAttribute("style"),
                  canvas.width, canvas.height];
        })""",
        [*bad, "good"],
    )
    assert untouched == [[True, None, 300, 150]] * (len(bad) + 1)
    # With Chart.js back the good canvas is drawn and the bad ones still are not.
    assert page.evaluate("CollectorCharts.drawAll(document).length") == 1


MEASURE_TICKS = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  const scale = chart.scales[chart.options.indexAxis];
  const font = scale.options.ticks.font;
  const size = typeof font === "function" ? 12 : (font && font.size) || Chart.defaults.font.size;
  return {
    indexAxis: chart.options.indexAxis,
    fontSize: size,
    lineHeight: Chart.defaults.font.lineHeight,
    box: chart.canvas.parentElement.clientHeight,
    ticks: scale.ticks.map((tick, i) => ({
      at: scale.getPixelForTick(i),
      lines: Array.isArray(tick.label) ? tick.label.length : 1,
    })),
  };
}"""


def test_sixty_seven_schools_have_no_overlapping_names(chart_page):
    """The Tomsk poll's 67 schools, laid out by reports/charts.py: horizontal bars, the
    box grown to the chart's height, and every name's lines clear of its neighbours'
    (the distance between two names' centres is at least half of each one's height)."""
    from collector.reports.charts import fitted

    page = chart_page
    names = [f"МАОУ «Средняя общеобразовательная школа № {n}» г. Томска" for n in range(67)]
    spec = fitted(
        {
            "kind": "bar_with_target",
            "title": "Доля родителей",
            "labels": names,
            "series": [{"label": "Доля", "values": [float(n) for n in range(67)]}],
            "target": 100,
            "unit": "%",
        }
    )
    page.evaluate(ADD_CANVASES, [["schools", json.dumps(spec)]])
    page.evaluate("document.querySelector('#schools').parentElement.classList.add('tall')")
    assert page.evaluate("CollectorCharts.drawAll(document).length") == 1
    measured = page.evaluate(MEASURE_TICKS, "schools")
    assert measured["indexAxis"] == "y"
    assert measured["box"] == spec["height"] > 448  # grown past .chart-box.tall
    ticks = measured["ticks"]
    assert len(ticks) == 67
    line = measured["fontSize"] * measured["lineHeight"]
    assert max(t["lines"] for t in ticks) == 2  # long names wrap to two lines at most
    for above, below in zip(ticks, ticks[1:], strict=False):
        room = (above["lines"] + below["lines"]) / 2 * line
        assert below["at"] - above["at"] >= room, (above, below)
