// Runs the browser's evaluator (collector/static/expressions.js) for the agreement tests
// (tests/schema/test_browser_evaluator.py): each line of stdin is a JSON batch of cases,
// {"tree": …, "values": {name: value}, "indicator": bool}, or {"live": …, "values": …}
// for a form's visible fields and failed rules, or {"derived": …, "values": …} for its
// totals and remainders (collector.schema.derived); each line of stdout the batch's results,
// in order: {"value": …} or {"error": "…"}.
"use strict";
const path = require("path");
const readline = require("readline");
const expressions = require(path.join(__dirname, "..", "..", "collector", "static", "expressions.js"));

function run(item) {
  const values = {};
  for (const [name, value] of Object.entries(item.values)) values[name] = expressions.fromJson(value);
  try {
    if (item.derived) {
      // Totals and remainders as a page works them out: over the answers of the
      // questions shown (live-form.js), each number as the page writes it.
      const kept = expressions.keptValues(item.derived, values, expressions.visibleFieldIds(item.derived, values));
      const found = {};
      for (const [key, numbers] of Object.entries(expressions.derivedValues(item.derived, kept))) {
        found[key] = numbers === null ? null : Object.fromEntries(
          Object.entries(numbers).map(([name, n]) => [name, expressions.shownNumber(n, ".")]),
        );
      }
      return { derived: found };
    }
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
