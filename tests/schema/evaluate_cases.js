// Runs the browser's evaluator (collector/static/expressions.js) for the agreement tests
// (tests/schema/test_browser_evaluator.py): each line of stdin is a JSON batch of cases,
// {"tree": …, "values": {name: value}, "indicator": bool}, or {"live": …, "values": …}
// for a form's visible fields and failed rules; each line of stdout the batch's results,
// in order: {"value": …} or {"error": "…"}.
"use strict";
const path = require("path");
const readline = require("readline");
const expressions = require(path.join(__dirname, "..", "..", "collector", "static", "expressions.js"));

function run(item) {
  const values = {};
  for (const [name, value] of Object.entries(item.values)) values[name] = expressions.fromJson(value);
  try {
    if (item.live) {
      return {
        visible: [...expressions.visibleFieldIds(item.live, values)].sort(),
        failed: expressions.failedRules(item.live, values).map((rule) => rule.id),
      };
    }
    return { value: expressions.toJson(expressions.evaluate(item.tree, values, item.indicator)) };
  } catch (error) {
    return { error: String(error && error.message) };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  process.stdout.write(JSON.stringify(JSON.parse(line).map(run)) + "\n");
});
