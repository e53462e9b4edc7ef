"""The site's own stylesheet and script (no CDN, no framework: the site must open from disk)."""

CSS = """
:root { --ink: #1d2330; --muted: #5d6677; --line: #d8dce4; --band: #f4f6f9; --accent: #2458b3;
  --up: #1a7f37; --down: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
header.site { background: var(--ink); color: #fff; padding: .6rem 1.2rem; display: flex; flex-wrap: wrap;
  gap: .4rem 1.2rem; align-items: baseline; }
header.site a { color: #fff; text-decoration: none; }
header.site .brand { font-weight: 700; margin-right: .8rem; }
header.site nav a { margin-right: .9rem; opacity: .85; }
header.site nav a.current { opacity: 1; border-bottom: 2px solid #fff; }
main { padding: 1rem 1.2rem 2rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
p.lead, .muted { color: var(--muted); }
a { color: var(--accent); }
.controls { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .6rem 0 1rem; }
.toggle button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--accent); background: #fff;
  color: var(--accent); cursor: pointer; }
.toggle button:first-child { border-radius: 4px 0 0 4px; }
.toggle button:last-child { border-radius: 0 4px 4px 0; }
.toggle button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: var(--band); vertical-align: bottom; font-weight: 600; }
th .cat { display: block; font-weight: 400; font-size: .72rem; color: var(--muted); }
td.text, th.text { text-align: left; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th:hover { text-decoration: underline; }
th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: .7em; }
th[aria-sort="descending"]::after { content: " \\25BC"; font-size: .7em; }
tbody tr:nth-child(even) { background: #fafbfc; }
.up { color: var(--up); } .down { color: var(--down); }
.pass { color: var(--up); font-weight: 600; } .fail { color: var(--down); font-weight: 600; }
.warn { color: #9a6700; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: .85rem; margin-top: .2rem; }
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.chart .axis, svg.chart .grid { stroke: #c3c8d2; stroke-width: 1; }
svg.chart .grid { stroke-dasharray: 2 3; }
svg.chart .label, svg.chart .tick, svg.chart .value { fill: var(--ink); }
svg.chart .tick { fill: var(--muted); }
svg.chart .bar { fill: var(--accent); stroke: #000; stroke-width: .5; }
svg.chart .bar-0 { fill: #1d2330; } svg.chart .bar-1 { fill: #2458b3; } svg.chart .bar-2 { fill: #3d8a5b; }
svg.chart .bar-3 { fill: #b06a10; } svg.chart .bar-4 { fill: #8a3d8a; }
svg.chart .series { stroke-width: 2; }
svg.chart polyline.series, svg.chart line.series { fill: none; }
svg.chart .series-0 { stroke: #1d2330; fill: #1d2330; } svg.chart .series-1 { stroke: #2458b3; fill: #2458b3; }
svg.chart .series-2 { stroke: #3d8a5b; fill: #3d8a5b; } svg.chart .series-3 { stroke: #b06a10; fill: #b06a10; }
svg.chart .series-4 { stroke: #8a3d8a; fill: #8a3d8a; }
svg.chart polyline.series { fill: none; }
svg.chart .cross { fill: none; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
code { background: var(--band); padding: 0 .25rem; border-radius: 3px; }
footer { color: var(--muted); font-size: .8rem; padding: 1rem 1.2rem; border-top: 1px solid var(--line); }
.js-only { display: none; } .js .js-only { display: initial; }
@media print {
  header.site, .controls, footer .nav { display: none; }
  body { font-size: 10pt; color: #000; }
  main { max-width: none; padding: 0; }
  a { color: #000; text-decoration: none; }
  th { background: none; border-bottom: 1.5px solid #000; }
  tbody tr:nth-child(even) { background: none; }
  .table-wrap { overflow: visible; }
  table, figure { page-break-inside: avoid; }
  svg.chart .bar { fill: #fff !important; stroke: #000; stroke-width: 1; }
  svg.chart .bar-0, svg.chart .bar-2, svg.chart .bar-4 { fill: #777 !important; }
  svg.chart .series { stroke: #000 !important; }
  svg.chart .marker { fill: #000 !important; }
  svg.chart .cross { fill: none !important; }
  .variant[hidden] { display: none; }
}
"""

# Sorting, the month selector and the monthly/accumulated toggle. The chosen variant travels in the URL
# fragment, so switching months keeps it.
JS = """
(function () {
  document.documentElement.classList.add('js');
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : '';
    var raw = cell.getAttribute('data-v');
    if (raw === null) raw = cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    var num = parseFloat(raw);
    return isNaN(num) ? -Infinity : num;
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var numeric = th.getAttribute('data-type') === 'num';
    var current = th.getAttribute('aria-sort');
    // Numbers start high-to-low except ranks (1 is best); a second click reverses.
    var first = numeric && !th.hasAttribute('data-asc') ? 'descending' : 'ascending';
    var order = current === first ? (first === 'ascending' ? 'descending' : 'ascending') : first;
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', order);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = order === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      if (x < y) return -sign;
      if (x > y) return sign;
      return 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var head = table.tHead.rows[table.tHead.rows.length - 1];
    Array.prototype.forEach.call(head.cells, function (th) {
      th.setAttribute('tabindex', '0');
      th.addEventListener('click', function () { sortBy(table, th); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
      });
    });
  });
  function showVariant(name) {
    var sections = document.querySelectorAll('.variant');
    if (!sections.length) return;
    var known = Array.prototype.some.call(sections, function (s) { return s.getAttribute('data-variant') === name; });
    if (!known) name = sections[0].getAttribute('data-variant');
    sections.forEach(function (s) { s.hidden = s.getAttribute('data-variant') !== name; });
    document.querySelectorAll('.toggle button').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-variant') === name ? 'true' : 'false');
    });
  }
  document.querySelectorAll('.toggle button').forEach(function (b) {
    b.addEventListener('click', function () {
      var name = b.getAttribute('data-variant');
      showVariant(name);
      history.replaceState(null, '', '#' + name);
    });
  });
  showVariant((location.hash || '#monthly').slice(1));
  document.querySelectorAll('select.month-select').forEach(function (select) {
    select.addEventListener('change', function () {
      location.href = select.value + location.hash;
    });
  });
})();
"""
