// The form language's evaluator in the browser: the same semantics as the server's row
// evaluator (collector/schema/evaluate.py), over the JSON trees the server emits
// (collector/schema/expressions.py: to_json). No eval, no Function: a walk of the tree.
// tests/schema/test_browser_evaluator.py runs it under Node against the server's evaluator.
//
// Values, as `evaluate.context` gives them:
//   null (missing), true/false, text, Dec (a number: an exact decimal, m × 10^e with a
//   BigInt m, as Python's Decimal), Raw (a stored whole or binary number not yet read as
//   one), arrays (a multiple choice, a table's rows or a column of its cells), and plain
//   objects (a grid's or a person's stored value).
// Numbers are Python's Decimal with its default context: every sum, difference, product,
// quotient and negation is rounded to 28 significant digits, half to even; comparisons
// are exact. Known differences from the server, none reachable from a form's inputs:
//   - text read as a number accepts ASCII digits only (Python also reads other scripts'
//     digits, «١٢»); a stored binary number is read by its shortest repr (Python compares
//     a float's exact binary value in `=`);
//   - two texts compare as dates when both are YYYY-MM-DD or YYYYMMDD (Python 3.11 also
//     reads ISO week dates, 2020-W01-1);
//   - Decimal's exponent limits (10^±999999) are not enforced: Python would stop with
//     an overflow error where this goes on.
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.CollectorExpressions = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  const PRECISION = 28;
  const LIMIT = 10n ** BigInt(PRECISION);
  const MAX_SAFE_INTEGER = 2n ** 53n;

  /** A number m × 10^e, exact. */
  class Dec {
    constructor(m, e) {
      this.m = m;
      this.e = e;
    }
    toString() {
      if (this.e >= 0) return (this.m * 10n ** BigInt(this.e)).toString();
      const negative = this.m < 0n;
      let digits = (negative ? -this.m : this.m).toString();
      const places = -this.e;
      digits = digits.padStart(places + 1, "0");
      const text = digits.slice(0, digits.length - places) + "." + digits.slice(digits.length - places);
      return (negative ? "-" : "") + text;
    }
  }

  /** A stored number not read yet: "int" (a JSON whole number) or "float". */
  class Raw {
    constructor(kind, text) {
      this.kind = kind;
      this.text = text;
    }
  }

  const abs = (m) => (m < 0n ? -m : m);
  const digitCount = (m) => abs(m).toString().length;
  const pow10 = (k) => 10n ** BigInt(k);

  /** Rounded to PRECISION significant digits, half to even; `sticky`: digits beyond m
   * that are not all zero (a quotient's remainder). */
  function rounded(m, e, sticky) {
    const count = digitCount(m);
    if (count <= PRECISION) return new Dec(m, e);
    const k = count - PRECISION;
    const p = pow10(k);
    const sign = m < 0n ? -1n : 1n;
    let q = abs(m) / p;
    const twice = 2n * (abs(m) % p);
    if (twice > p || (twice === p && (sticky || q % 2n === 1n))) q += 1n;
    let exponent = e + k;
    if (q === LIMIT) {
      q /= 10n;
      exponent += 1;
    }
    return new Dec(sign * q, exponent);
  }

  function aligned(a, b) {
    const e = Math.min(a.e, b.e);
    return [a.m * pow10(a.e - e), b.m * pow10(b.e - e), e];
  }

  function add(a, b) {
    const [x, y, e] = aligned(a, b);
    return rounded(x + y, e, false);
  }
  function sub(a, b) {
    const [x, y, e] = aligned(a, b);
    return rounded(x - y, e, false);
  }
  function mul(a, b) {
    return rounded(a.m * b.m, a.e + b.e, false);
  }
  function div(a, b) {
    // A quotient of at least PRECISION + 2 digits, then rounded with its remainder.
    const x = abs(a.m);
    const y = abs(b.m);
    if (x === 0n) return new Dec(0n, 0);
    const shift = Math.max(0, PRECISION + 2 + digitCount(y) - digitCount(x));
    const scaled = x * pow10(shift);
    const q = scaled / y;
    const sticky = scaled % y !== 0n;
    const sign = (a.m < 0n) !== (b.m < 0n) ? -1n : 1n;
    return rounded(sign * q, a.e - b.e - shift, sticky);
  }
  function neg(a) {
    return rounded(-a.m, a.e, false);
  }
  function compare(a, b) {
    const [x, y] = aligned(a, b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  function adjusted(d) {
    return digitCount(d.m) - 1 + d.e;
  }

  // Python's Decimal reads a number with underscores anywhere and blanks around it;
  // float() with single underscores between digits only.
  const DECIMAL_SYNTAX = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
  const FLOAT_DIGITS = "\\d(?:_?\\d)*";
  const FLOAT_SYNTAX = new RegExp(
    `^[+-]?(?:${FLOAT_DIGITS}(?:\\.(?:${FLOAT_DIGITS})?)?|\\.${FLOAT_DIGITS})(?:[eE][+-]?${FLOAT_DIGITS})?$`,
  );
  // Python's str.strip(): Unicode white space (JavaScript's trim() is the same set but
  // for U+180E, U+FEFF and the information separators, which no answer holds).
  const strip = (text) => text.replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g, "");

  /** Text as Python's Decimal(text) reads it (finite only), or null. */
  function parseDecimal(text) {
    const found = DECIMAL_SYNTAX.exec(strip(text).replace(/_/g, ""));
    if (!found) return null;
    const [, sign, whole, fraction, onlyFraction, exponent] = found;
    const places = whole !== undefined ? fraction || "" : onlyFraction;
    const digits = (whole || "") + places;
    let m = BigInt(digits);
    if (sign === "-") m = -m;
    return new Dec(m, (exponent ? Number(exponent) : 0) - places.length);
  }

  /** values.finite_decimal: a number for expressions, bounded both ways. */
  function finiteDecimal(text) {
    if (text.length > 64) return null;
    const number = parseDecimal(text);
    if (number === null) return null;
    if (adjusted(number) > 16) return null;
    if (number.m !== 0n && adjusted(number) < -40) return null;
    return number;
  }

  /** values.number_problem for a decimal: whether no door would store it. */
  function decimalProblem(d) {
    if (d.m === 0n) return false;
    if (adjusted(d) >= 15) return true;
    let m = abs(d.m);
    let e = d.e;
    while (m > 9n && m % 10n === 0n) {
      m /= 10n;
      e += 1;
    }
    return m.toString().length > 15 || -e > 10;
  }

  /** A stored text as a number (values.stored_number, then finite_decimal), or null. */
  function textNumber(text) {
    if (text.length > 64) return null;
    const stripped = strip(text);
    if (FLOAT_SYNTAX.test(stripped)) {
      const float = Number(stripped.replace(/_/g, ""));
      if (!Number.isFinite(float) || Math.abs(float) >= 1e15) return null;
      return finiteDecimal(text);
    }
    if (!stripped) return null;
    // values.parse_decimal: blanks anywhere removed, a decimal comma read as a point.
    const compact = text.replace(/[\s\u00a0\u202f]/g, "").replace(/,/g, ".");
    if (!compact || compact.length > 64) return null;
    const parsed = parseDecimal(compact);
    if (parsed === null || decimalProblem(parsed)) return null;
    return finiteDecimal(text);
  }

  function rawNumber(raw) {
    if (raw.kind === "int") {
      const n = BigInt(raw.text);
      return abs(n) > MAX_SAFE_INTEGER ? null : finiteDecimal(raw.text);
    }
    const float = Number(raw.text);
    if (!Number.isFinite(float) || Math.abs(float) >= 1e15) return null;
    return finiteDecimal(raw.text);
  }

  /** evaluate._number: a value as a number, or null (unknown). */
  function number(value) {
    if (value instanceof Dec) return value;
    if (value instanceof Raw) return rawNumber(value);
    if (typeof value === "string") return textNumber(value);
    return null;
  }

  const isPlainObject = (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value) &&
    !(value instanceof Dec) && !(value instanceof Raw);

  /** Python's `==` between two values. */
  function pyEquals(a, b) {
    if (a === null || b === null) return a === b;
    const numeric = (v) => (typeof v === "boolean" ? new Dec(v ? 1n : 0n, 0) : v instanceof Raw ? rawExact(v) : v);
    if (typeof a === "boolean" && typeof b === "boolean") return a === b;
    const x = numeric(a);
    const y = numeric(b);
    if (x instanceof Dec && y instanceof Dec) return compare(x, y) === 0;
    if (typeof x === "string" && typeof y === "string") return x === y;
    if (Array.isArray(x) && Array.isArray(y)) {
      return x.length === y.length && x.every((item, n) => pyEquals(item, y[n]));
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length &&
        keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && pyEquals(x[k], y[k]));
    }
    return false;
  }
  function rawExact(raw) {
    return parseDecimal(raw.text) || raw.text;
  }

  /** Python's truth of a value (`not`). */
  function truthy(value) {
    if (value === null || value === false) return false;
    if (value === true) return true;
    if (value instanceof Dec) return value.m !== 0n;
    if (value instanceof Raw) return Number(value.text) !== 0;
    if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
    return Object.keys(value).length > 0;
  }

  function answered(value) {
    if (value === null || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (isPlainObject(value)) return Object.keys(value).length > 0;
    return true;
  }

  const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  /** date.fromisoformat for the forms dates take (YYYY-MM-DD, YYYYMMDD), as a sortable
   * number, or null. */
  function isoDate(text) {
    const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) || /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    if (!found) return null;
    const [year, month, day] = [Number(found[1]), Number(found[2]), Number(found[3])];
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (year < 1 || month < 1 || month > 12 || day < 1) return null;
    if (day > (month === 2 && leap ? 29 : DAYS[month - 1])) return null;
    return year * 10000 + month * 100 + day;
  }

  const ORDER = {
    "<": (c) => c < 0,
    "<=": (c) => c <= 0,
    ">": (c) => c > 0,
    ">=": (c) => c >= 0,
  };

  function flatten(values) {
    const flat = [];
    for (const value of values) {
      if (Array.isArray(value)) flat.push(...value);
      else flat.push(value);
    }
    return flat;
  }

  /**
   * The value of a tree over `values` (dotted names -> values). `indicator`: as inside
   * an indicator's group function (`=`, `!=` with a missing side are unknown).
   */
  function evaluate(node, values, indicator) {
    if ("num" in node) return parseDecimal(node.num);
    if ("str" in node) return node.str;
    if ("bool" in node) return node.bool;
    if ("null" in node) return null;
    if ("ref" in node) {
      const value = values[node.ref];
      return value === undefined ? null : value;
    }
    if ("unary" in node) {
      const operand = evaluate(node.a, values, indicator);
      if (operand === null) return null;
      if (node.unary === "not") return !truthy(operand);
      const n = number(operand);
      return n === null ? null : neg(n);
    }
    if ("binary" in node) return binary(node, values, indicator);
    if ("call" in node) return call(node, values, indicator);
    throw new Error("not an expression tree");
  }

  function binary(node, values, indicator) {
    const op = node.binary;
    const left = evaluate(node.l, values, indicator);
    const right = evaluate(node.r, values, indicator);
    if (op === "and") {
      if (left === false || right === false) return false;
      return left === null || right === null ? null : true;
    }
    if (op === "or") {
      if (left === true || right === true) return true;
      return left === null || right === null ? null : false;
    }
    if (op === "==" || op === "!=") {
      let equal;
      if (left === null || right === null) {
        if (indicator) return null;
        equal = left === null && right === null;
      } else if (
        !(typeof left === "string" && typeof right === "string") &&
        number(left) !== null && number(right) !== null
      ) {
        equal = compare(number(left), number(right)) === 0;
      } else {
        equal = pyEquals(left, right);
      }
      return op === "==" ? equal : !equal;
    }
    if (left === null || right === null) return null;
    if (typeof left === "string" && typeof right === "string" && op in ORDER) {
      const first = isoDate(left);
      const second = isoDate(right);
      return first === null || second === null ? null : ORDER[op](first - second);
    }
    const a = number(left);
    const b = number(right);
    if (a === null || b === null) return null;
    if (op in ORDER) return ORDER[op](compare(a, b));
    if (op === "/") return b.m === 0n ? null : div(a, b);
    if (op === "+") return add(a, b);
    if (op === "-") return sub(a, b);
    if (op === "*") return mul(a, b);
    throw new Error("unknown operator " + op);
  }

  function call(node, values, indicator) {
    const args = node.args.map((arg) => evaluate(arg, values, indicator));
    const name = node.call;
    if (name === "selected") {
      const [chosen, option] = args;
      if (chosen === null) return null;
      if (Array.isArray(chosen)) return chosen.some((item) => pyEquals(item, option));
      if (typeof chosen === "string" && typeof option === "string") return chosen.includes(option);
      if (isPlainObject(chosen) && typeof option === "string") {
        return Object.prototype.hasOwnProperty.call(chosen, option);
      }
      throw new Error("selected() of a value that is not a choice");
    }
    const flat = flatten(args);
    if (name === "count") return new Dec(BigInt(flat.filter(answered).length), 0);
    const numbers = flat.map(number).filter((n) => n !== null);
    if (name === "sum") return numbers.length ? numbers.reduce(add, new Dec(0n, 0)) : null;
    if (name === "min" || name === "max") {
      if (!numbers.length) return null;
      const sign = name === "min" ? -1 : 1;
      return numbers.reduce((best, n) => (compare(n, best) * sign > 0 ? n : best));
    }
    throw new Error(name + "() is evaluated by the indicator engine");
  }

  /** A value sent by the server (collector.schema.live.json_value) read back typed. */
  function fromJson(value) {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(fromJson);
    if ("$dec" in value) return parseDecimal(value.$dec);
    if ("$int" in value) return new Raw("int", value.$int);
    if ("$float" in value) return new Raw("float", value.$float);
    if ("$map" in value) {
      const map = {};
      for (const [k, v] of Object.entries(value.$map)) map[k] = fromJson(v);
      return map;
    }
    throw new Error("not a value the server sends");
  }

  /** A value as JSON, the shapes fromJson reads. */
  function toJson(value) {
    if (value === null || typeof value !== "object") return value;
    if (value instanceof Dec) return { $dec: value.toString() };
    if (value instanceof Raw) return value.kind === "int" ? { $int: value.text } : { $float: value.text };
    if (Array.isArray(value)) return value.map(toJson);
    const map = {};
    for (const [k, v] of Object.entries(value)) map[k] = toJson(v);
    return { $map: map };
  }

  /** evaluate.visible_field_ids over a page's block (collector.schema.live). */
  /** evaluate.hidden_values: a field declaring a `hidden_value` reads it while one of
   * its conditions (its section's, its own) is definitely false, as an indicator reads
   * them (a part of a zero total is 0). The values with those put in, as context does. */
  function withHiddenValues(live, values) {
    const found = Object.assign({}, values);
    for (const section of live.sections) {
      for (const id of section.fields) {
        const field = live.fields[id];
        if (field.hidden_value === null || field.hidden_value === undefined) continue;
        const hides = [section.visible_if, field.visible_if].filter(Boolean);
        if (hides.some((c) => evaluate(c, values, true) === false)) {
          found[id] = finiteDecimal(field.hidden_value);
        }
      }
    }
    return found;
  }

  /** What is shown depends on what was typed, not on hidden values (as on the server). */
  function visibleFieldIds(live, values) {
    const visible = new Set();
    for (const section of live.sections) {
      if (section.visible_if && evaluate(section.visible_if, values, false) !== true) continue;
      for (const id of section.fields) {
        const condition = live.fields[id].visible_if;
        if (!condition || evaluate(condition, values, false) === true) visible.add(id);
      }
    }
    return visible;
  }

  /** evaluate.failed_rules: the rules definitely broken. */
  function failedRules(live, given) {
    const values = withHiddenValues(live, given);
    const shown = visibleFieldIds(live, given);
    // A rule whose fields are all hidden is not asked (evaluate.failed_rules).
    return live.rules.filter(
      (rule) =>
        !(rule.fields.length && !rule.fields.some((f) => shown.has(f.split(".")[0]))) &&
        evaluate(rule.check, values, false) === false,
    );
  }

  /** The values with the answers of hidden questions dropped, as the server keeps only
   * those of visible ones (a grid's cells, a table's columns with them). */
  function keptValues(live, values, visible) {
    const kept = Object.assign({}, values);
    for (const [id, field] of Object.entries(live.fields)) {
      if (visible.has(id)) continue;
      kept[id] = null;
      if (field.reader === "grid") {
        for (const row of field.rows) {
          for (const column of field.columns) kept[`${id}.${row}.${column.id}`] = null;
        }
      } else if (field.reader === "table") {
        for (const column of field.columns) kept[`${id}.${column.id}`] = [];
      }
    }
    return kept;
  }

  /** collector.schema.derived.derived_values: per derived value (totals, what is left of
   * a total), its numbers by name, or null when one is unknown; over the kept answers. */
  function derivedValues(live, kept) {
    const values = withHiddenValues(live, kept);
    const found = {};
    for (const item of live.derived) {
      const numbers = {};
      let known = true;
      for (const [name, tree] of item.terms) {
        const value = evaluate(tree, values, false);
        if (!(value instanceof Dec)) known = false;
        numbers[name] = value;
      }
      found[item.key] = known ? numbers : null;
    }
    return found;
  }

  /** derived.shown_number: a number as the page shows it («2,5» in Russian). */
  function shownNumber(value, mark) {
    return value.toString().replace(".", mark);
  }

  return {
    Dec, Raw, evaluate, number, answered, parseDecimal, finiteDecimal, fromJson, toJson,
    visibleFieldIds, failedRules, withHiddenValues, keptValues, derivedValues, shownNumber,
  };
});
