"""The site's own stylesheet and script (no CDN, no framework: the site must open from disk)."""

CSS = """
:root { --ink: #1d2330; --muted: #5d6677; --line: #d8dce4; --band: #f4f6f9; --accent: #2458b3;
  --up: #1a7f37; --down: #b42318; --gap: #9a6700; --heat: rgba(36, 88, 179, .15); --rank-w: 3.4rem; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
header.site { background: var(--ink); color: #fff; padding: .55rem 1.2rem; display: flex; flex-wrap: wrap;
  gap: .3rem 1rem; align-items: baseline; }
header.site a { color: #fff; text-decoration: none; }
header.site .brand { font-weight: 700; margin-right: .4rem; }
header.site nav { display: flex; flex-wrap: wrap; gap: .2rem .85rem; }
header.site nav a { opacity: .85; }
header.site nav a.current { opacity: 1; border-bottom: 2px solid #fff; }
header.site .provenance { margin-left: auto; font-size: .8rem; opacity: .9; }
main { padding: 1rem 1.2rem 2rem; max-width: 2000px; }
main p, main ul, dl.facts { max-width: 80rem; }
h1 { font-size: 1.5rem; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.lead, .muted { color: var(--muted); }
a { color: var(--accent); }
.controls { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: center; margin: .6rem 0 .8rem; }
.toggle { display: inline-flex; }
.toggle button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--accent); background: #fff;
  color: var(--accent); cursor: pointer; }
.toggle button + button { border-left: 0; }
.toggle button:first-child { border-radius: 4px 0 0 4px; }
.toggle button:last-child { border-radius: 0 4px 4px 0; }
.toggle button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1.1rem; align-items: center; background: var(--band);
  border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; margin: .4rem 0 .8rem; }
.filters input, .filters select, .controls select { font: inherit; padding: .15rem .3rem; }
.filters input[type="search"] { width: 12rem; max-width: 60vw; }
.filters input.num { width: 4.2rem; }
.filters output { color: var(--muted); font-size: .85rem; }
.table-wrap { overflow-x: auto; max-width: 100%; margin-bottom: .4rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap;
  background-color: #fff; }
th { background-color: var(--band); vertical-align: bottom; font-weight: 600; }
th .cat { display: block; font-weight: 400; font-size: .72rem; color: var(--muted); }
td.text, th.text { text-align: left; }
td.wrap { white-space: normal; min-width: 10rem; max-width: 34rem; overflow-wrap: anywhere; }
tbody tr:nth-child(even) td { background-color: #fafbfc; }
table.ranking th { white-space: normal; min-width: 3.6rem; max-width: 6.6rem; font-size: .8rem; line-height: 1.2;
  padding: .3rem .4rem; }
table.ranking td { font-size: .85rem; padding: .28rem .4rem; }
.with-aside { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: flex-start; }
.with-aside .main-col { flex: 0 1 auto; min-width: 0; max-width: 100%; }
/* a long caption must not make the table's column wider than the table (the charts wrap below it) */
.with-aside .main-col > p.caption { max-width: 46rem; }
.with-aside .aside { flex: 0 1 26rem; min-width: 0; display: flex; flex-direction: column; gap: .3rem; }
.chart-row { display: flex; flex-wrap: wrap; gap: .2rem 1.5rem; align-items: flex-end; }
.chart-row p.caption { flex: 1 1 22rem; max-width: 48rem; }
table.definitions { width: 100%; }
table.definitions td.wrap { min-width: 18rem; max-width: 50rem; }
table.definitions td.months { white-space: normal; min-width: 8rem; }
code.column { display: block; width: max-content; font-size: .75rem; margin-top: .1rem; color: var(--muted); }
tr.group-row th { background: #fff; border-bottom: 2px solid var(--line); padding-top: .7rem; font-size: .85rem; }
#comparison td a { color: inherit; text-decoration: none; }
#comparison td a:hover { text-decoration: underline; }
table.ranking th.group { text-align: center; font-weight: 600; font-size: .74rem; color: var(--muted);
  border-bottom: 2px solid var(--line); max-width: none; }
table.ranking th.group.empty { background: #fff; border-bottom: 0; }
.table-wrap table .sticky-1 { position: sticky; left: 0; z-index: 1; width: var(--rank-w); min-width: var(--rank-w);
  max-width: var(--rank-w); }
.table-wrap table .sticky-2 { position: sticky; left: var(--rank-w); z-index: 1; min-width: 6.5rem; max-width: 10rem;
  white-space: normal !important; box-shadow: inset -1px 0 0 var(--line); }
th.sticky-1, th.sticky-2 { z-index: 2; }
.ci { display: block; font-size: .68rem; color: var(--muted); line-height: 1.1; }
td.m { background-image: linear-gradient(90deg, var(--heat) calc(var(--n, 0) * 100%), transparent 0); }
td.inert { color: var(--muted); }
.unknown { color: var(--muted); font-style: italic; }
.new { color: var(--accent); font-size: .8rem; }
.gap-mark { color: var(--gap); text-decoration: none; font-weight: 700; margin-left: .15rem; }
a.gap, .carried { color: var(--gap); font-weight: 600; }
.gap-note { background: #fff8e5; border-left: 4px solid #d4a72c; padding: .45rem .8rem; }
p.caption { color: var(--muted); font-size: .84rem; margin: .4rem 0 .3rem; }
p.downloads { font-size: .85rem; margin: .2rem 0 1rem; }
table.sortable thead tr:last-child th { cursor: pointer; user-select: none; }
table.sortable thead tr:last-child th:hover { text-decoration: underline; }
th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: .7em; }
th[aria-sort="descending"]::after { content: " \\25BC"; font-size: .7em; }
.up { color: var(--up); } .down { color: var(--down); }
.pass { color: var(--up); font-weight: 600; } .fail { color: var(--down); font-weight: 600; }
.warn { color: var(--gap); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure { margin: 0 0 .6rem; max-width: 100%; } figcaption { color: var(--muted); font-size: .82rem; margin-top: .1rem; }
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; display: block; }
svg.chart .axis, svg.chart .grid { stroke: #c3c8d2; stroke-width: 1; }
svg.chart .grid { stroke-dasharray: 2 3; }
svg.chart .current { fill: #fff1c2; stroke: none; }
svg.chart .label, svg.chart .tick, svg.chart .value { fill: var(--ink); }
svg.chart .tick { fill: var(--muted); }
svg.chart .bar { fill: var(--accent); stroke: #000; stroke-width: .5; }
svg.chart .bar-0 { fill: #1d2330; } svg.chart .bar-1 { fill: #2458b3; } svg.chart .bar-2 { fill: #3d8a5b; }
svg.chart .bar-3 { fill: #b06a10; } svg.chart .bar-4 { fill: #8a3d8a; }
svg.chart .move.up { fill: var(--up); } svg.chart .move.down { fill: var(--down); }
svg.chart .dot { fill: var(--accent); fill-opacity: .8; stroke: #fff; stroke-width: .8; }
svg.chart .series { stroke-width: 2; stroke-linejoin: round; }
svg.chart polyline.series, svg.chart line.series { fill: none; }
svg.chart .series-0 { stroke: #1d2330; fill: #1d2330; } svg.chart .series-1 { stroke: #2458b3; fill: #2458b3; }
svg.chart .series-2 { stroke: #3d8a5b; fill: #3d8a5b; } svg.chart .series-3 { stroke: #b06a10; fill: #b06a10; }
svg.chart .series-4 { stroke: #8a3d8a; fill: #8a3d8a; }
svg.chart polyline.series { fill: none; stroke-opacity: .9; }
svg.chart .marker { stroke: #fff; stroke-width: 1; }
svg.chart .cross { fill: none; stroke-width: 2; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
dl.facts .ci { display: inline; margin-left: .4rem; font-size: .8rem; }
code { background: var(--band); padding: 0 .25rem; border-radius: 3px; overflow-wrap: anywhere; }
details { margin: .8rem 0; } summary { cursor: pointer; color: var(--accent); }
fieldset.picker { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0 1rem; padding: .4rem .8rem; }
fieldset.picker label { display: inline-flex; gap: .3rem; align-items: center; margin: .15rem 1rem .15rem 0; }
#comparison td.best { font-weight: 700; }
#comparison th.org { min-width: 7rem; }
#comparison th.dim { text-align: left; background: #fff; border-bottom: 2px solid var(--ink); padding-top: .9rem; }
.history-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); gap: 1rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .85rem; margin: .3rem 0; }
.legend .swatch { display: inline-block; width: 1.6rem; height: 0; border-top: 3px solid; vertical-align: middle;
  margin-right: .3rem; }
.legend .s0 { border-color: #1d2330; } .legend .s1 { border-color: #2458b3; border-top-style: dashed; }
.legend .s2 { border-color: #3d8a5b; border-top-style: dotted; } .legend .s3 { border-color: #b06a10; border-top-style: double; }
footer { color: var(--muted); font-size: .8rem; padding: 1rem 1.2rem; border-top: 1px solid var(--line); }
html:not(.js) .js-only { display: none; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  header.site { padding: .5rem .7rem; }
  header.site .provenance { margin-left: 0; width: 100%; }
  main { padding: .7rem .7rem 1.5rem; }
  h1 { font-size: 1.25rem; }
  :root { --rank-w: 2.9rem; }
  .table-wrap table .sticky-2 { min-width: 5.5rem; max-width: 7.5rem; }
  th, td { padding: .25rem .35rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0; }
  dl.facts dd { margin-bottom: .35rem; }
  /* Tables read top to bottom (definitions, where each number comes from) stack on phones instead of
     scrolling sideways: one block per row, the long text on a line of its own. */
  table.definitions, table.definitions tbody, table.definitions tr, table.definitions td { display: block; }
  table.definitions thead { display: none; }
  table.definitions tr { border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.definitions td { border: 0; padding: .1rem .2rem; text-align: left; white-space: normal; min-width: 0 !important; }
  table.definitions tr.group-row th { display: block; }
  table.provenance, table.provenance thead, table.provenance tbody { display: block; }
  table.provenance tr { display: grid; grid-template-columns: minmax(0, 1fr) 4.6rem 4.6rem 5.4rem;
    border-bottom: 1px solid var(--line); }
  table.provenance th, table.provenance td { border: 0; white-space: normal; }
  table.provenance td.wrap, table.provenance th:last-child, table.provenance tr.group-row th {
    grid-column: 1 / -1; min-width: 0; max-width: none; }
  table.provenance td.wrap { font-size: .8rem; padding-top: 0; }
  table.provenance thead th { font-size: .72rem; overflow-wrap: anywhere; }
}
@media print {
  header.site, .controls, .filters, .toggle, footer .nav, p.downloads { display: none; }
  body { font-size: 10pt; color: #000; }
  main { max-width: none; padding: 0; }
  a { color: #000; text-decoration: none; }
  th { background: none; border-bottom: 1.5px solid #000; }
  tbody tr:nth-child(even) td { background-color: transparent; }
  td.m { background-image: none; }
  .table-wrap { overflow: visible; }
  .sticky-1, .sticky-2 { position: static; }
  table, figure { page-break-inside: avoid; }
  svg.chart .bar { fill: #fff !important; stroke: #000; stroke-width: 1; }
  svg.chart .bar-0, svg.chart .bar-2, svg.chart .bar-4 { fill: #777 !important; }
  svg.chart .series { stroke: #000 !important; }
  svg.chart .marker { fill: #000 !important; }
  svg.chart .cross { fill: none !important; }
  .variant[hidden] { display: none; }
}
"""

# Page state lives in the URL fragment (``#v=accumulated&q=baai&g=model&from=1&to=10&move=up``, on the
# compare page ``#orgs=BAAI,Meta``): it survives the month selector, can be shared, and needs no server.
# Changing only the fragment is also the one history change browsers allow for file:// pages.
JS = """
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var state = {};
  (location.hash.slice(1) || '').split('&').forEach(function (part) {
    if (!part) return;
    var i = part.indexOf('=');
    if (i < 0) { state.v = decodeURIComponent(part); return; }  // "#accumulated" from older links
    state[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1));
  });
  function saveState() {
    var parts = [];
    Object.keys(state).forEach(function (k) {
      if (state[k]) parts.push(k + '=' + encodeURIComponent(state[k]).replace(/%2C/g, ','));
    });
    history.replaceState(null, '', '#' + parts.join('&'));
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // ---- sorting: click (or Enter on) a header of the last header row
  function lastHeaderRow(table) { return table.tHead.rows[table.tHead.rows.length - 1]; }
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
    each(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', order);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = order === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      // Unknown values stay at the bottom whichever way the column is sorted.
      if (numeric && x === -Infinity && y !== -Infinity) return 1;
      if (numeric && y === -Infinity && x !== -Infinity) return -1;
      return x < y ? -sign : x > y ? sign : 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  each(document.querySelectorAll('table.sortable'), function (table) {
    each(lastHeaderRow(table).cells, function (th) {
      th.setAttribute('tabindex', '0');
      th.addEventListener('click', function () { sortBy(table, th); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
      });
    });
  });

  // ---- toggles: v (monthly / accumulated sections), show (values / normalised), ...
  function applyToggle(name) {
    var buttons = document.querySelectorAll('button[data-state="' + name + '"]');
    if (!buttons.length) return;
    var values = Array.prototype.map.call(buttons, function (b) { return b.getAttribute('data-value'); });
    var value = values.indexOf(state[name]) >= 0 ? state[name] : values[0];
    each(buttons, function (b) { b.setAttribute('aria-pressed', b.getAttribute('data-value') === value ? 'true' : 'false'); });
    if (name === 'v') {
      each(document.querySelectorAll('.variant'), function (s) { s.hidden = s.getAttribute('data-variant') !== value; });
    } else {
      root.setAttribute('data-' + name, value);
    }
    if (name === 'show') {
      // Metric cells carry their normalised value in data-n: swap the text, keep any gap mark after it.
      each(document.querySelectorAll('td[data-n]'), function (cell) {
        var text = cell.firstChild;
        if (!text || text.nodeType !== 3) return;
        if (cell.rawText === undefined) cell.rawText = text.nodeValue;
        text.nodeValue = value === 'normalised' ? cell.getAttribute('data-n') : cell.rawText;
      });
    }
  }
  var toggles = {};
  each(document.querySelectorAll('button[data-state]'), function (b) {
    var name = b.getAttribute('data-state');
    toggles[name] = true;
    b.addEventListener('click', function () {
      state[name] = b.getAttribute('data-value');
      saveState();
      applyToggle(name);
      applyFilters();
    });
  });
  Object.keys(toggles).forEach(applyToggle);

  // ---- filters: search, column group, rank range, movers; over every ranking table of the page
  function keyIndex(table, key) {
    var cells = lastHeaderRow(table).cells;
    for (var i = 0; i < cells.length; i++) if (cells[i].getAttribute('data-key') === key) return i;
    return -1;
  }
  function applyFilters() {
    var q = (state.q || '').toLowerCase().trim(), g = state.g || '', move = state.move || '';
    var from = parseInt(state.from, 10), to = parseInt(state.to, 10);
    var summary = '';
    each(document.querySelectorAll('table.ranking'), function (table) {
      var heads = lastHeaderRow(table).cells, hide = [];
      for (var i = 0; i < heads.length; i++) {
        var group = heads[i].getAttribute('data-g');
        hide.push(!!(g && group && group !== g));
        heads[i].style.display = hide[i] ? 'none' : '';
      }
      if (table.tHead.rows.length > 1) {
        each(table.tHead.rows[0].cells, function (th) {
          var group = th.getAttribute('data-g');
          th.style.display = g && group && group !== g ? 'none' : '';
        });
      }
      var orgAt = keyIndex(table, 'org'), deltaAt = keyIndex(table, 'delta');
      var rankAt = g && keyIndex(table, 'rank:' + g) >= 0 ? keyIndex(table, 'rank:' + g) : keyIndex(table, 'rank');
      var shown = 0, total = 0;
      each(table.tBodies[0].rows, function (row) {
        total++;
        var ok = !q || orgAt < 0 || row.cells[orgAt].textContent.toLowerCase().indexOf(q) >= 0;
        var rank = parseFloat(row.cells[rankAt] ? row.cells[rankAt].getAttribute('data-v') || row.cells[rankAt].textContent : '');
        if (ok && !isNaN(from)) ok = rank >= from;
        if (ok && !isNaN(to)) ok = rank <= to;
        if (ok && move && deltaAt >= 0) {
          var d = row.cells[deltaAt].getAttribute('data-v'), n = parseFloat(d);
          ok = move === 'up' ? n > 0 : move === 'down' ? n < 0 : move === 'new' ? d === '' : true;
        }
        row.hidden = !ok;
        if (ok) shown++;
        for (var c = 0; c < row.cells.length; c++) row.cells[c].style.display = hide[c] ? 'none' : '';
      });
      var section = table.closest('.variant');
      if (!section || !section.hidden) summary = shown === total ? total + ' organisations' : shown + ' of ' + total + ' organisations';
    });
    each(document.querySelectorAll('.filters output'), function (o) { o.textContent = summary; });
  }
  each(document.querySelectorAll('[data-filter]'), function (input) {
    var name = input.getAttribute('data-filter');
    if (state[name]) input.value = state[name];
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', function () {
      state[name] = input.value;
      saveState();
      applyFilters();
    });
  });
  if (document.querySelector('table.ranking')) applyFilters();

  // ---- the month selector keeps the page state
  each(document.querySelectorAll('select.month-select'), function (select) {
    select.addEventListener('change', function () { location.href = select.value + location.hash; });
  });

  // ---- compare: 2-4 orgs from #orgs=..., drawn from the page's embedded JSON
  var dataNode = document.getElementById('compare-data');
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var MAX = 4, DASHES = ['', '6 3', '2 3', '8 3 2 3'];
  var boxes = document.querySelectorAll('input[data-pick]');
  function chosen() {
    var list = [];
    (state.orgs || '').split(',').forEach(function (o) {
      if (data.orgs.indexOf(o) >= 0 && list.indexOf(o) < 0 && list.length < MAX) list.push(o);
    });
    return list;
  }
  if (!state.orgs) state.orgs = data.orgs.slice(0, 3).join(',');
  each(boxes, function (box) {
    box.addEventListener('change', function () {
      var list = chosen();
      if (box.checked && list.indexOf(box.value) < 0) list.push(box.value);
      if (!box.checked) list = list.filter(function (o) { return o !== box.value; });
      state.orgs = list.slice(0, MAX).join(',');
      saveState();
      render();
    });
  });
  function chart(ranking, orgs) {
    var W = 380, H = 200, L = 34, R = 30, T = 12, B = 30, inset = 10;
    var months = data.months, pw = W - L - R - inset, ph = H - T - B, worst = 2;
    orgs.forEach(function (o) { data.history[o][ranking].forEach(function (r) { if (r !== null && r > worst) worst = r; }); });
    var x = function (i) { return L + inset + (months.length === 1 ? pw / 2 : i * pw / (months.length - 1)); };
    var y = function (r) { return T + (r - 1) * ph / (worst - 1); };
    var out = ['<svg class="chart rank-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H +
      '" width="' + W + '" height="' + H + '" role="img" aria-label="' + esc(ranking) + ' rank per month">'];
    var step = Math.max(1, Math.floor((worst - 1) / 5) + 1), ticks = [1];
    for (var t = 1 + step; t < worst; t += step) ticks.push(t);
    ticks.push(worst);
    ticks.forEach(function (r) {
      out.push('<line class="grid" x1="' + L + '" y1="' + y(r) + '" x2="' + (W - R) + '" y2="' + y(r) + '"/>' +
        '<text class="tick" x="' + (L - 5) + '" y="' + y(r) + '" text-anchor="end" dominant-baseline="middle">' + r + '</text>');
    });
    months.forEach(function (m, i) {
      if (i === 0 || i === months.length - 1 || months.length <= 4 || m === data.month) {
        out.push('<text class="tick" x="' + x(i) + '" y="' + (H - 10) + '" text-anchor="middle">' + esc(m) + '</text>');
      }
    });
    var here = months.indexOf(data.month);
    out.push('<rect class="current" x="' + (x(here) - 8) + '" y="' + (T - 8) + '" width="16" height="' + (ph + 16) + '"/>');
    orgs.forEach(function (o, s) {
      var layer = orgs.length - 1 - s, width = 1.5 + 1.3 * layer, radius = 3 + 1 * layer, runs = [[]];
      data.history[o][ranking].forEach(function (r, i) {
        if (r === null) { runs.push([]); return; }
        runs[runs.length - 1].push([x(i), y(r), r, months[i]]);
      });
      runs.forEach(function (run) {
        if (run.length > 1) {
          out.push('<polyline class="series series-' + s + '" fill="none" stroke-width="' + width + '"' +
            (DASHES[s] ? ' stroke-dasharray="' + DASHES[s] + '"' : '') + ' points="' +
            run.map(function (p) { return p[0] + ',' + p[1]; }).join(' ') + '"/>');
        }
        run.forEach(function (p) {
          out.push('<circle class="series series-' + s + ' marker" cx="' + p[0] + '" cy="' + p[1] + '" r="' + radius +
            '"><title>' + esc(o + ', ' + p[3] + ': rank ' + p[2]) + '</title></circle>');
        });
      });
    });
    out.push('</svg>');
    return out.join('');
  }
  function render() {
    var orgs = chosen(), box = document.getElementById('comparison');
    each(boxes, function (b) {
      b.checked = orgs.indexOf(b.value) >= 0;
      b.disabled = !b.checked && orgs.length >= MAX;
    });
    if (orgs.length < 2) {
      box.innerHTML = '<p class="muted">Pick at least two organisations.</p>';
      return;
    }
    var head = '<tr><th class="text">Ranking</th>' + orgs.map(function (o) {
      return '<th class="org" scope="col"><a href="' + esc(data.pages[o]) + '">' + esc(o) + '</a></th>';
    }).join('') + '</tr>';
    var html = ['<h2>Ranks and scores</h2><div class="table-wrap"><table class="plain compare-scores"><thead>' + head + '</thead><tbody>'];
    data.rankings.forEach(function (name) {
      var best = Math.min.apply(null, orgs.map(function (o) { var r = data.scores[o][name][0]; return r === null ? Infinity : r; }));
      html.push('<tr><th class="text" scope="row">' + esc(name.charAt(0).toUpperCase() + name.slice(1)) + '</th>' + orgs.map(function (o) {
        var v = data.scores[o][name];
        return '<td' + (v[0] === best ? ' class="best"' : '') + ' data-v="' + (v[0] === null ? '' : v[0]) + '">' +
          (v[0] === null ? '–' : 'rank ' + v[0]) + (v[2] ? '<span class="ci">' + esc(v[2]) + '</span>' : '') +
          '<span class="ci">score ' + esc(v[1]) + '</span></td>';
      }).join('') + '</tr>');
    });
    html.push('</tbody></table></div>');
    html.push('<h2>Rank histories</h2><div class="legend">' + orgs.map(function (o, s) {
      return '<span><span class="swatch s' + s + '"></span>' + esc(o) + '</span>';
    }).join('') + '</div><div class="history-charts">');
    data.rankings.forEach(function (name) {
      html.push('<figure>' + chart(name, orgs) + '<figcaption>' + esc(name.charAt(0).toUpperCase() + name.slice(1)) +
        ' rank per month (1 = top)</figcaption></figure>');
    });
    html.push('</div><h2>Metric values, ' + esc(data.month) + '</h2><div class="table-wrap"><table class="plain compare-metrics"><thead>' +
      head.replace('>Ranking<', '>Metric<') + '</thead><tbody>');
    var dim = '';
    data.metrics.forEach(function (m, i) {
      if (m.dim !== dim) {
        dim = m.dim;
        html.push('<tr><th class="dim" colspan="' + (orgs.length + 1) + '" scope="rowgroup">' + esc(dim.charAt(0).toUpperCase() + dim.slice(1)) + '</th></tr>');
      }
      var nums = orgs.map(function (o) { return data.raw[o][i]; }).filter(function (v) { return v !== null; });
      var top = nums.length ? Math.max.apply(null, nums) : null, spread = nums.length > 1 && Math.min.apply(null, nums) !== top;
      html.push('<tr><th class="text" scope="row" title="' + esc(m.tip) + '">' + esc(m.label) + '</th>' + orgs.map(function (o) {
        var raw = data.raw[o][i], text = data.values[o][i];
        var css = raw === null ? ' class="unknown"' : spread && raw === top ? ' class="best"' : '';
        return '<td' + css + '><a href="' + esc(data.pages[o]) + '#' + esc(m.anchor) + '">' + esc(text) + '</a></td>';
      }).join('') + '</tr>');
    });
    html.push('</tbody></table></div>');
    box.innerHTML = html.join('');
  }
  render();
})();
"""
