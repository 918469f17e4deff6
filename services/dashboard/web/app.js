// The dashboard page: live updates over Server-Sent Events (/api/events), uPlot spread chart, controls.
// Plain browser JavaScript, no build step. Text is always set with textContent (never HTML).

const $ = (id) => document.getElementById(id);
const MAX_POINTS = 3600;
const state = { xs: [], ab: [], ba: [], be: [], open: null, close: null, updates: 0, plot: null, last: null };
const DIRS = {
  buy_aster_sell_backpack: 'buy Aster / sell Backpack',
  buy_backpack_sell_aster: 'buy Backpack / sell Aster',
};

function fmt(n, digits = 2) {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}
function signed(n, digits = 2) {
  return n === null || n === undefined ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
}
function age(ms) {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
function time(t) {
  return t ? new Date(t).toISOString().slice(11, 19) : '-';
}
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function badge(text, kind) {
  return el('span', text, `badge ${kind}`);
}
function dl(pairs) {
  const d = el('dl');
  for (const [k, v, cls] of pairs) {
    d.append(el('dt', k), el('dd', v, cls));
  }
  return d;
}

function chartSize() {
  const w = $('chart').clientWidth || 800;
  return { width: w, height: 280 };
}

function makePlot() {
  const opts = {
    ...chartSize(),
    scales: { x: { time: true } },
    axes: [
      { stroke: '#8a97a5', grid: { stroke: '#26313c' } },
      { stroke: '#8a97a5', grid: { stroke: '#26313c' } },
    ],
    legend: { live: true },
    series: [
      {},
      { label: 'buy Aster/sell Backpack', stroke: '#58a6ff', width: 1.5 },
      { label: 'buy Backpack/sell Aster', stroke: '#d2a8ff', width: 1.5 },
      { label: 'open', stroke: '#3fb950', dash: [6, 4], width: 1 },
      { label: 'close', stroke: '#d29922', dash: [6, 4], width: 1 },
      { label: 'break-even', stroke: '#f85149', dash: [2, 4], width: 1 },
    ],
  };
  state.plot = new uPlot(opts, chartData(), $('chart'));
  window.addEventListener('resize', () => state.plot.setSize(chartSize()));
}

function chartData() {
  const n = state.xs.length;
  const open = new Array(n).fill(state.open);
  const close = new Array(n).fill(state.close);
  return [state.xs, state.ab, state.ba, open, close, state.be];
}

function addPoint(p) {
  if (!p) return;
  const x = p.t / 1000;
  if (state.xs.length > 0 && x <= state.xs[state.xs.length - 1]) return;
  state.xs.push(x);
  state.ab.push(p.ab);
  state.ba.push(p.ba);
  state.be.push(p.be);
  if (state.xs.length > MAX_POINTS) {
    for (const a of [state.xs, state.ab, state.ba, state.be]) a.shift();
  }
}

function redrawChart() {
  if (!state.plot) makePlot();
  else state.plot.setData(chartData());
  $('points').textContent = `${state.xs.length} points`;
  $('chart').dataset.points = String(state.xs.length);
}

function renderVenue(venue, snap) {
  const card = $(`venue-${venue}`);
  const b = snap.spread.books[venue];
  card.querySelector('.book').textContent = b ? `${fmt(b.bid, 1)} / ${fmt(b.ask, 1)}` : '- / -';
  const f = snap.feeds[venue];
  const feed = card.querySelector('.feed');
  feed.replaceChildren(
    f.reportAgeMs === null
      ? badge('feed down', 'bad')
      : f.healthy
        ? badge('healthy', 'ok')
        : badge(f.connected ? 'late report' : 'disconnected', 'warn'),
    el(
      'span',
      ` quote age ${age(f.quoteAgeMs)} · reconnects ${f.reconnects} · malformed ${f.malformed}`,
      'muted',
    ),
  );
}

function renderFlags(snap) {
  const c = snap.control;
  const parts = [];
  if (c.killed) parts.push(badge('KILLED', 'bad'));
  if (c.paused) parts.push(badge('PAUSED', 'warn'));
  if (!c.reconciled) parts.push(badge('not reconciled', 'warn'));
  if (!c.killed && !c.paused && c.reconciled) parts.push(badge('trading', 'ok'));
  const flags = $('flags');
  flags.replaceChildren(...parts);
  flags.dataset.paused = String(c.paused);
  flags.title = c.reason ? `${c.reason} (${c.updatedBy ?? '?'} at ${time(c.updatedAt)})` : '';
}

function renderDecision(snap) {
  const d = snap.decision;
  $('decision-text').textContent =
    d.kind === 'hold' ? `hold: ${d.reason}${d.detail ? ` (${d.detail})` : ''}` : `${d.kind} due: ${d.detail}`;
  const s = snap.spread;
  const t = snap.thresholds;
  $('spread-text').textContent =
    `A→B ${signed(s.open.buy_aster_sell_backpack)} · B→A ${signed(s.open.buy_backpack_sell_aster)} · ` +
    `open ≥ ${t.open} · close < ${t.close} · break-even ${fmt(s.breakEven)} · size ${t.tradeQty}`;
}

function renderHedge(snap) {
  const h = snap.hedge;
  const body = $('hedge-body');
  body.className = h ? '' : 'muted';
  $('hedge').dataset.hedgeId = h ? h.hedgeId : '';
  if (!h) {
    body.replaceChildren(el('span', 'none'));
    return;
  }
  const exposure = h.exposure
    ? Object.entries(h.exposure)
        .map(([v, q]) => `${v} ${q}`)
        .join(', ')
    : '-';
  const pnlCls = h.unrealizedPnl === null ? '' : h.unrealizedPnl >= 0 ? 'pos' : 'neg';
  body.replaceChildren(
    dl([
      ['id', h.hedgeId],
      ['phase', h.phase + (h.closeRequested ? ' (close requested)' : '')],
      ['direction', DIRS[h.direction] ?? h.direction],
      ['qty', h.qty],
      ['age', age(h.ageMs)],
      ['entry edge', fmt(h.expectedEdge)],
      ['unwind spread', fmt(h.unwindSpread)],
      ['unrealized PnL', h.unrealizedPnl === null ? '-' : `${signed(h.unrealizedPnl)} USD`, pnlCls],
      ['exposure', exposure],
      ['note', h.note ?? '-'],
    ]),
  );
}

function renderDaily(snap) {
  const d = snap.daily;
  $('daily-body').replaceChildren(
    dl([
      ['day', `${d.day} (${d.timeZone})`],
      ['volume', `${fmt(d.volume)} USD`],
      ['trades', d.trades],
      ['open positions', d.openPositions],
      ['PnL', `${signed(d.realizedPnl)} USD`, d.realizedPnl >= 0 ? 'pos' : 'neg'],
      ['fees', `${fmt(d.fees)} USD`],
      ['hedges opened / closed', `${d.hedgesOpened} / ${d.hedgesClosed}`],
    ]),
  );
}

function renderLatency(latency) {
  const body = $('latency-body');
  const rows = [];
  for (const v of ['aster', 'backpack']) {
    const l = latency?.[v];
    for (const [label, st] of [
      ['decision→ack', l?.decisionToAck],
      ['sent→ack', l?.sendToAck],
    ]) {
      if (st)
        rows.push([`${v} ${label}`, `p50 ${st.p50} ms · p99 ${st.p99} ms · max ${st.max} ms (${st.count})`]);
    }
  }
  body.className = rows.length ? '' : 'muted';
  body.replaceChildren(rows.length ? dl(rows) : el('span', 'no orders yet'));
}

function renderHedges(hedges) {
  const rows = hedges.map((h) => {
    const tr = el('tr');
    tr.dataset.hedgeId = h.hedgeId;
    const pnl = el('td', h.realizedPnl === null ? 'open' : signed(h.realizedPnl));
    if (h.realizedPnl !== null) pnl.className = h.realizedPnl >= 0 ? 'pos' : 'neg';
    tr.append(
      el('td', h.hedgeId),
      el('td', DIRS[h.direction] ?? h.direction ?? '-'),
      el('td', h.qty ?? '-'),
      el('td', time(h.openedAt)),
      el('td', time(h.closedAt)),
      el('td', h.fills),
      el('td', fmt(h.volume)),
      el('td', fmt(h.fees, 4)),
      pnl,
      el('td', h.reason ?? '-'),
    );
    return tr;
  });
  $('hedges').tBodies[0].replaceChildren(...rows);
}

function renderAlerts(alerts) {
  const ul = $('alerts');
  if (!alerts.length) {
    ul.replaceChildren(el('li', 'none'));
    return;
  }
  ul.replaceChildren(
    ...alerts.map((a) => el('li', `${time(a.at)} [${a.level}] ${a.source}/${a.code}: ${a.message}`)),
  );
}

function onUpdate(u) {
  state.updates++;
  state.last = u;
  const snap = u.snapshot;
  state.open = snap.thresholds.open;
  state.close = snap.thresholds.close;
  $('pair').textContent = snap.pair;
  for (const v of ['aster', 'backpack']) renderVenue(v, snap);
  renderFlags(snap);
  renderDecision(snap);
  renderHedge(snap);
  renderDaily(snap);
  renderHedges(u.hedges);
  renderAlerts(u.alerts);
  renderLatency(u.latency);
  addPoint(u.point);
  redrawChart();
  document.body.dataset.updates = String(state.updates);
}

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'badge ok';
  });
  es.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
    $('live').className = 'badge off';
  });
  es.addEventListener('history', (e) => {
    state.xs = [];
    state.ab = [];
    state.ba = [];
    state.be = [];
    for (const p of JSON.parse(e.data)) addPoint(p);
  });
  es.addEventListener('update', (e) => onUpdate(JSON.parse(e.data)));
}

const CONFIRM_TEXT = {
  pause: 'Pause trading? No new hedges open; closes and cleanups still run.',
  resume: 'Resume trading? New hedges may open when the spread allows.',
  flatten: 'Flatten everything? Risk closes every open position on both venues now.',
};

function askConfirm(command) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = `Confirm ${command}`;
  $('confirm-text').textContent = CONFIRM_TEXT[command];
  $('confirm-reason').value = '';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

async function control(command) {
  if (!(await askConfirm(command))) {
    $('control-result').textContent = `${command} cancelled`;
    return;
  }
  const reason = $('confirm-reason').value;
  const res = await fetch('/api/control', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-arb-dashboard': '1' },
    body: JSON.stringify({ command, confirm: command, reason }),
  });
  const body = await res.json().catch(() => ({}));
  const out = $('control-result');
  out.dataset.status = String(res.status);
  out.textContent = res.ok
    ? `${command} sent (${body.command.id}); risk applies it`
    : `${command} refused: ${res.status} ${body.error ?? ''}`;
}

for (const b of document.querySelectorAll('nav button[data-command]')) {
  b.addEventListener('click', () => void control(b.dataset.command));
}
connect();
