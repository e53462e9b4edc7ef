// Page state lives in the URL fragment (#v=accumulated&q=baai&g=model&from=1&to=10&move=up, on the
// compare page #orgs=BAAI,Meta): it survives the month selector, can be shared, and needs no server.
// Changing only the fragment is also the one history change browsers allow for file:// pages.
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

  // ---- sorting: the button in a header of the last header row; aria-sort on its th says the order
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
      var button = th.querySelector('button.sort');
      if (button) button.addEventListener('click', function () { sortBy(table, th); });
    });
  });

  // ---- a table box is in the tab order (so the keyboard can scroll it) only while it scrolls
  function fit(wraps) {
    // Every measure first, then only the changes: no layout forced between two wraps.
    var scrolls = wraps.map(function (w) { return w.scrollWidth > w.clientWidth + 1; });
    wraps.forEach(function (wrap, i) {
      if (wrap.hasAttribute('tabindex') === scrolls[i]) return;
      if (scrolls[i]) wrap.setAttribute('tabindex', '0'); else wrap.removeAttribute('tabindex');
    });
  }
  // Measured when the browser lays the page out anyway (a resize observer reports after layout), never
  // by forcing a layout from this script while the page loads.
  var watch = window.ResizeObserver ? new ResizeObserver(function (entries) {
    fit(entries.map(function (entry) { return entry.target.closest('.table-wrap'); }));
  }) : null;
  function watchWraps(scope) {
    each(scope.querySelectorAll('.table-wrap'), function (wrap) {
      if (!watch) { setTimeout(function () { fit([wrap]); }, 0); return; }
      watch.observe(wrap);
      if (wrap.firstElementChild) watch.observe(wrap.firstElementChild);
    });
  }
  watchWraps(document);

  // ---- toggles: v (monthly / accumulated sections), show (values / normalised), ...
  var swapped = false;  // whether any metric cell shows its normalised value yet
  function applyToggle(name) {
    var buttons = document.querySelectorAll('button[data-state="' + name + '"]');
    if (!buttons.length) return;
    var values = Array.prototype.map.call(buttons, function (b) { return b.getAttribute('data-value'); });
    var value = values.indexOf(state[name]) >= 0 ? state[name] : values[0];
    each(buttons, function (b) { b.setAttribute('aria-pressed', b.getAttribute('data-value') === value ? 'true' : 'false'); });
    if (name === 'v') {
      // The stylesheet shows the variant named on the root (set before the first paint from the
      // address, so nothing moves here); hidden also keeps the other one out of print.
      root.setAttribute('data-v', value);
      each(document.querySelectorAll('.variant'), function (s) { s.hidden = s.getAttribute('data-variant') !== value; });
    } else {
      root.setAttribute('data-' + name, value);
    }
    if (name === 'show') {
      // Metric cells carry their normalised value in data-n: swap the text, keep any gap mark after it.
      // Pages open on values: nothing to swap then (rewriting ~2000 cells would only cost a layout).
      if (value !== 'normalised' && !swapped) return;
      swapped = true;
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
  // Writes only what changes: with no filter set (a page opening) nothing is restyled.
  function show(el, visible) {
    var want = visible ? '' : 'none';
    if (el.style.display !== want) el.style.display = want;
  }
  var filtered = false;  // whether a filter has hidden anything yet
  function applyFilters() {
    var q = (state.q || '').toLowerCase().trim(), g = state.g || '', move = state.move || '';
    var from = parseInt(state.from, 10), to = parseInt(state.to, 10);
    var summary = '';
    // A page opened without filters shows every row and column as rendered: only count them.
    var idle = !filtered && !(q || g || move || !isNaN(from) || !isNaN(to));
    filtered = !idle;
    each(document.querySelectorAll('table.ranking'), function (table) {
      if (idle) {
        var section = table.closest('.variant');
        if (!section || !section.hidden) summary = table.tBodies[0].rows.length + ' organisations';
        return;
      }
      var heads = lastHeaderRow(table).cells, hide = [];
      for (var i = 0; i < heads.length; i++) {
        var group = heads[i].getAttribute('data-g');
        hide.push(!!(g && group && group !== g));
        show(heads[i], !hide[i]);
      }
      if (table.tHead.rows.length > 1) {
        each(table.tHead.rows[0].cells, function (th) {
          var group = th.getAttribute('data-g');
          show(th, !(g && group && group !== g));
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
        if (row.hidden !== !ok) row.hidden = !ok;
        if (ok) shown++;
        for (var c = 0; c < row.cells.length; c++) show(row.cells[c], !hide[c]);
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
    var W = 336, H = 200, L = 30, R = 26, T = 12, B = 30, inset = 10;  // W: see charts.py
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
  // The numbers of a rank chart as a table, for readers who cannot hover its markers.
  function chartData(ranking, orgs) {
    var rows = data.months.map(function (m, i) {
      var ranks = orgs.map(function (o) { return data.history[o][ranking][i]; });
      if (ranks.every(function (r) { return r === null; })) return '';
      return '<tr><th scope="row" class="text">' + esc(m) + '</th>' + ranks.map(function (r) {
        return '<td>' + (r === null ? '–' : r) + '</td>';
      }).join('') + '</tr>';
    }).join('');
    return '<details class="chart-data"><summary>Ranks per month</summary><div class="table-wrap" role="region" ' +
      'tabindex="0" aria-label="' + esc(title(ranking)) + ' ranks per month"><table class="plain"><thead><tr>' +
      '<th scope="col" class="text">Month</th>' + orgs.map(function (o) { return '<th scope="col">' + esc(o) + '</th>'; }).join('') +
      '</tr></thead><tbody>' + rows + '</tbody></table></div></details>';
  }
  function title(name) { return name.charAt(0).toUpperCase() + name.slice(1); }
  function list(orgs) {
    return orgs.length < 2 ? orgs.join('') : orgs.slice(0, -1).join(', ') + ' and ' + orgs[orgs.length - 1];
  }
  var status = document.getElementById('compare-status');
  function render() {
    var orgs = chosen(), box = document.getElementById('comparison');
    each(boxes, function (b) {
      b.checked = orgs.indexOf(b.value) >= 0;
      b.disabled = !b.checked && orgs.length >= MAX;
    });
    // Only this short sentence is announced (aria-live), not the whole comparison rebuilt below it.
    status.textContent = orgs.length < 2 ? 'Pick at least two organisations.' :
      'Comparing ' + list(orgs) + (orgs.length >= MAX ? ' (at most ' + MAX + ')' : '') + '.';
    if (orgs.length < 2) {
      box.innerHTML = '';
      return;
    }
    var head = '<tr><th class="text" scope="col">Ranking</th>' + orgs.map(function (o) {
      return '<th class="org" scope="col"><a href="' + esc(data.pages[o]) + '">' + esc(o) + '</a></th>';
    }).join('') + '</tr>';
    var html = ['<h2>Ranks and scores</h2><div class="table-wrap" role="region" tabindex="0" aria-label="ranks and scores"><table class="plain compare-scores"><thead>' + head + '</thead><tbody>'];
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
      html.push('<figure>' + chart(name, orgs) + '<figcaption>' + esc(title(name)) +
        ' rank per month (1 = top)</figcaption>' + chartData(name, orgs) + '</figure>');
    });
    html.push('</div><h2>Metric values, ' + esc(data.month) + '</h2><div class="table-wrap" role="region" tabindex="0" aria-label="metric values"><table class="plain compare-metrics"><thead>' +
      head.replace('>Ranking<', '>Metric<') + '</thead><tbody>');
    var dim = '';
    data.metrics.forEach(function (m, i) {
      if (m.dim !== dim) {
        dim = m.dim;
        html.push('<tr><th class="dim" colspan="' + (orgs.length + 1) + '" scope="rowgroup">' + esc(dim.charAt(0).toUpperCase() + dim.slice(1)) + '</th></tr>');
      }
      var nums = orgs.map(function (o) { return data.raw[o][i]; }).filter(function (v) { return v !== null; });
      var top = nums.length ? Math.max.apply(null, nums) : null, spread = nums.length > 1 && Math.min.apply(null, nums) !== top;
      // The label links to the metric's definition on the method page (the tooltip is for the mouse only).
      html.push('<tr><th class="text" scope="row"><a href="method.html#' + esc(m.anchor) + '" title="' + esc(m.tip) + '">' +
        esc(m.label) + '</a></th>' + orgs.map(function (o) {
        var raw = data.raw[o][i], text = data.values[o][i];
        var css = raw === null ? ' class="unknown"' : spread && raw === top ? ' class="best"' : '';
        return '<td' + css + '><a href="' + esc(data.pages[o]) + '#' + esc(m.anchor) + '">' + esc(text) + '</a></td>';
      }).join('') + '</tr>');
    });
    html.push('</tbody></table></div>');
    box.innerHTML = html.join('');
    watchWraps(box);
  }
  render();
})();
