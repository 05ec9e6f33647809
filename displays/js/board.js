// 综合屏 (hall board). URL: board.html?hall=demo[&mode=windows][&floor=1][&services=a,b][#token=<display token>]
//   [&voice=auto|server|browser|chime|off][&autoplay=1][&rows=10][&lang=en]
// autoplay=1: the browser plays sound without a click (Chromium --autoplay-policy=no-user-gesture-required).
// Shows the newest call large (flashing), the last 8 calls, waiting and estimated wait per
// service (paged when they do not fit), the notice line, the clock and the hall's name; announces
// every call and recall through one queue (announcer.js); a call the queue could not voice in time
// is marked on the board (未播报), one the citizen did not answer 过号. mode=windows shows instead
// every open window with its current number (or 暂停) and the next numbers of each service.

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { Announcer } from './announcer.js';
import { applyI18n, lang, nameOf, register, t } from './i18n.js';
import { $, askToken as askDisplayToken, debounce, el, fmtEta, HallClock, pageToken, params } from './util.js';
import { EVENT } from './events.js';

register({
  entry_label: ['扫码 手机取号', 'Scan to take a ticket'],
  now: ['正在呼叫', 'Now calling'],
  please_go: ['请到', 'please go to window'],
  window_unit: ['号窗口', ''],
  recall: ['重呼', 'Recall'],
  unvoiced: ['未播报', 'Not announced'],
  recent: ['最近呼叫', 'Recent calls'],
  missed: ['过号', 'Missed'],
  windows: ['窗口', 'Windows'],
  next_up: ['下一位', 'Next up'],
  paused: ['暂停', 'Paused'],
  free: ['空闲', 'Free'],
  calling: ['正在呼叫', 'Calling'],
  serving: ['办理中', 'Serving'],
  nobody_waiting: ['暂无等候', 'Nobody waiting'],
  service: ['办理事项', 'Service'],
  waiting: ['等候', 'Waiting'],
  eta: ['预计等候', 'Est. wait'],
  enable_voice: ['点击启用语音', 'Click to enable voice'],
  setup_title: ['本屏尚未配置', 'This screen is not set up'],
  setup_help: ['请输入显示屏设备令牌（hallq device-token --kind display 生成），或在地址末尾加上 #token=…',
               'Enter a display device token (made by hallq device-token --kind display), or add #token=… to the end of the address'],
  setup_token: ['显示屏令牌', 'display token'],
  save: ['保存', 'Save'],
  floor_n: ['{n} 楼', 'Floor {n}'],
  win_short: ['{n} 号窗口', 'Window {n}'],
});

const hall = params.get('hall') || 'demo';
const floorFilter = params.get('floor') ? Number(params.get('floor')) : null;
const serviceFilter = params.get('services') ? new Set(params.get('services').split(',').map((s) => s.trim()).filter(Boolean)) : null;
const rowsPerPage = Math.max(4, Math.min(20, Number(params.get('rows')) || 10));
const byWindow = params.get('mode') === 'windows';
const RECENT = 8;
const WINDOWS_PER_PAGE = 16; // 4 x 4 tiles

const clock = new HallClock();
const state = { name: '', notice: '', calls: [], services: new Map(), order: [], windows: new Map(), page: 0, seq: null };
const announcer = new Announcer({ voice: params.get('voice') || 'auto', now: () => clock.now(),
                                  autoplay: params.get('autoplay') === '1' });
window.hallq = { state, announcer, clock };

// -- filters -----------------------------------------------------------------------------------
function serviceShown(code) {
  if (serviceFilter && !serviceFilter.has(code)) return false;
  if (floorFilter !== null) {
    const s = state.services.get(code);
    if (s && s.floor !== floorFilter) return false;
  }
  return true;
}

function callShown(call) {
  if (serviceFilter && !serviceFilter.has(call.service)) return false;
  if (floorFilter !== null) {
    const w = state.windows.get(call.window);
    const floor = call.floor ?? (w ? w.floor : null);
    if (floor !== null && floor !== floorFilter) return false;
  }
  return true;
}

// -- rendering ---------------------------------------------------------------------------------
function renderHeader() {
  $('#hall-name').textContent = lang === 'en' && state.name_en ? state.name_en : state.name;
  const scope = [];
  if (floorFilter !== null) scope.push(t('floor_n', { n: floorFilter }));
  if (serviceFilter) scope.push([...serviceFilter].map((c) => (state.services.has(c) ? boardName(state.services.get(c)) : c)).join(' · '));
  $('#scope').textContent = scope.join('  ');
  document.title = `${t('now')} · ${state.name}`;
}

function renderNotice() {
  const n = $('#notice');
  if (n.textContent !== state.notice) {
    n.textContent = state.notice || '';
    // A constant reading speed, however long the notice: about 9 characters a second.
    n.style.setProperty('--ticker-seconds', `${Math.max(20, Math.round((state.notice || '').length / 4.5 + 12))}s`);
  }
}

function renderCalls(flashNewest = false) {
  const shown = state.calls.filter(callShown).slice(0, RECENT);
  const newest = shown.find((c) => !c.missed);
  const hero = $('#hero');
  if (hero.dataset.number !== (newest ? newest.number : '')) hero.classList.remove('flash'); // a 过号 is not flashed on
  $('#hero-num').textContent = newest ? newest.number : '—';
  $('#hero-win').textContent = newest ? newest.window : '—';
  $('#hero-tag').hidden = !(newest && newest.recall);
  hero.classList.toggle('idle', !newest);
  hero.dataset.number = newest ? newest.number : '';
  hero.dataset.window = newest ? newest.window : '';
  if (flashNewest && newest && newest === shown[0]) {
    hero.classList.remove('flash');
    void hero.offsetWidth; // restart the animation
    hero.classList.add('flash');
  }
  const list = $('#recent');
  list.replaceChildren(...Array.from({ length: RECENT }, (_, i) => {
    const c = shown[i];
    if (!c) return el('li', { class: 'empty' });
    return el('li', { class: `${i === 0 ? 'newest' : ''} ${i === 0 && flashNewest ? 'flash' : ''} ${c.recall ? 'recall' : ''} ${c.unvoiced ? 'unvoiced' : ''} ${c.missed ? 'missed' : ''}`,
                      dataset: { number: c.number, window: c.window, seq: c.seq, unvoiced: c.unvoiced || '', missed: c.missed ? '1' : '' } },
      el('div', { class: 'r-num' }, c.number),
      c.missed ? el('div', { class: 'r-tag' }, t('missed')) : [
        c.unvoiced ? el('div', { class: 'r-tag' }, t('unvoiced')) : null,
        el('div', { class: 'r-win' }, lang === 'en' ? ['Window ', el('b', {}, String(c.window))]
          : [el('b', {}, String(c.window)), t('window_unit')])]);
  }));
}

// One page of a list that does not fit the screen (all lists turn their pages on one timer), with
// its dots under the list.
function paged(items, perPage, dots) {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const at = state.page % pages;
  $(dots).replaceChildren(...(pages > 1 ? Array.from({ length: pages }, (_, i) => el('i', { class: i === at ? 'on' : '' })) : []));
  return items.slice(at * perPage, (at + 1) * perPage);
}

// A service's name cell: the prefix, the floor (on a board of the whole hall) and its board name.
function serviceName(s) {
  return el('div', { class: 's-name' }, el('span', { class: 's-pre' }, s.prefix),
    floorFilter === null ? el('span', { class: 's-floor' }, `${s.floor}F`) : null,
    el('span', { class: 's-text' }, boardName(s)));
}

// A name still too long for its line takes two, smaller (the hall file's short names avoid it).
function fitNames(list) {
  for (const text of list.querySelectorAll('.s-text')) {
    if (text.scrollWidth > text.clientWidth) text.classList.add('wrap');
  }
}

function renderServices() {
  if (byWindow) return renderNext();
  const list = $('#services');
  list.style.setProperty('--rows', rowsPerPage);
  list.replaceChildren(...paged(state.order.filter(serviceShown), rowsPerPage, '#svc-pages').map((code) => {
    const s = state.services.get(code);
    return el('li', { dataset: { service: code } }, serviceName(s),
      el('div', { class: 's-wait num' }, String(s.waiting ?? 0)),
      el('div', { class: 's-eta' }, s.waiting ? fmtEta(s.eta_seconds) : '—'));
  }));
  fitNames(list);
}

// Next up: numbers only, in calling order, for the services someone waits for.
function renderNext() {
  const codes = state.order.filter((code) => serviceShown(code) && (state.services.get(code).next || []).length);
  const list = $('#next');
  list.style.setProperty('--rows', rowsPerPage);
  list.replaceChildren(...(codes.length ? paged(codes, rowsPerPage, '#next-pages').map((code) => {
    const s = state.services.get(code);
    return el('li', { dataset: { service: code } }, serviceName(s),
      el('div', { class: 'n-nums num' }, ...s.next.map((n) => el('span', { dataset: { number: n } }, n))));
  }) : [el('li', { class: 'n-none' }, t('nobody_waiting'))]));
  if (!codes.length) $('#next-pages').replaceChildren();
  fitNames(list);
}

function windowShown(w) {
  if (w.state === 'closed') return false;
  if (floorFilter !== null && w.floor !== floorFilter) return false;
  return !serviceFilter || w.services.some((code) => serviceFilter.has(code));
}

function renderWindows() {
  if (!byWindow) return;
  const shown = [...state.windows.values()].filter(windowShown).sort((a, b) => a.number - b.number);
  $('#windows').replaceChildren(...paged(shown, WINDOWS_PER_PAGE, '#win-pages').map((w) => {
    const paused = w.state === 'paused';
    const status = paused ? null : w.ticket ? t(w.ticket_state === 'serving' ? 'serving' : 'calling') : t('free');
    const flash = w.flashUntil > Date.now() ? ' flash' : ''; // a tile drawn again while it flashes goes on flashing
    return el('li', { class: (paused ? 'paused' : w.ticket ? w.ticket_state || 'called' : 'free') + flash,
                      dataset: { window: w.number, ticket: w.ticket || '', state: w.state } },
      el('div', { class: 'w-no' }, lang === 'en' ? ['Window ', el('b', {}, String(w.number))]
        : [el('b', {}, String(w.number)), t('window_unit')]),
      el('div', { class: 'w-ticket num' }, paused ? t('paused') : w.ticket || '—'),
      el('div', { class: 'w-status' }, paused ? w.pause_reason || '' : status));
  }));
}

// The board's name of a service: the hall file's short name, else the name without its
// parenthesis (不动产交易税费申报（契税、个人所得税） -> 不动产交易税费申报).
function boardName(s) {
  const short = lang === 'en' ? s.short_name_en : s.short_name;
  if (short) return short;
  const full = nameOf(s);
  return full.replace(/（[^）]*）/g, '').replace(/\s*\([^)]*\)\s*/g, ' ').trim() || full;
}

function renderClock() {
  $('#clock-time').textContent = clock.hhmmss();
  $('#clock-date').textContent = clock.dateText();
}

function renderAll() {
  renderHeader();
  renderNotice();
  renderCalls(false);
  renderServices();
  renderWindows();
  renderClock();
  applyI18n();
}

// -- state from the server ---------------------------------------------------------------------
function applyBoard(board, { calls = true } = {}) {
  clock.sync(board.now);
  state.name = board.name;
  state.name_en = board.name_en;
  state.notice = board.notice || '';
  state.order = board.services.map((s) => s.code);
  state.services = new Map(board.services.map((s) => [s.code, s]));
  state.windows = new Map(board.windows.map((w) => [w.number, w]));
  if (board.voice) announcer.configure(board.voice);
  if (calls) state.calls = board.calls.map((c) => ({ ...c, recall: 0 }));
  state.seq = board.seq;
}

const refreshServices = debounce(async () => {
  // Window openings change estimated waits without a queue.stats event; read the board again.
  try {
    const board = await api(`/api/halls/${encodeURIComponent(hall)}/board`);
    const live = window.hallq.live;
    if (live && live.seq !== undefined && board.seq < live.seq) { clock.sync(board.now); return; } // never step back
    applyBoard(board, { calls: false });
    renderServices();
    renderWindows();
    renderNotice();
    renderHeader();
  } catch { /* the next event or timer tries again */ }
}, 1500);

function onEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case EVENT.TICKET_CALLED:
    case EVENT.TICKET_RECALLED: {
      const call = { number: d.number, window: d.window, service: d.service, floor: d.floor, text: d.text,
                     ts: ev.ts, seq: ev.seq, recall: ev.type === EVENT.TICKET_RECALLED ? (d.recall || 1) : 0 };
      state.calls = [call, ...state.calls.filter((c) => !(c.number === call.number && (c.window === call.window || c.missed)))].slice(0, 50);
      const w = state.windows.get(d.window);
      if (w) Object.assign(w, { ticket: d.number, ticket_state: 'called', flashUntil: callShown(call) ? Date.now() + 4000 : 0 });
      const s = state.services.get(d.service);
      if (s && s.next) s.next = s.next.filter((n) => n !== d.number); // the next queue.stats brings the one after
      renderWindows();
      renderServices();
      if (callShown(call)) {
        renderCalls(true);
        announcer.enqueue({ ...call, speech: d.speech, audio_url: d.audio_url }); // a stale replay is flagged, not said
      }
      break;
    }
    case EVENT.TICKET_SERVING:
    case EVENT.TICKET_RESUMED: {
      const w = state.windows.get(d.window);
      if (w) Object.assign(w, { ticket: d.number, ticket_state: 'serving' });
      renderWindows();
      break;
    }
    case EVENT.TICKET_DONE:
    case EVENT.TICKET_NO_SHOW:
    case EVENT.TICKET_HELD: // the citizen stepped away: the window is free for the next call
    case EVENT.TICKET_TRANSFERRED:
    case EVENT.TICKET_TRANSFERRED_TO_WINDOW: {
      const w = state.windows.get(d.window);
      if (w && w.ticket === d.number) Object.assign(w, { ticket: null, ticket_state: null });
      if (ev.type === EVENT.TICKET_NO_SHOW) {
        for (const c of state.calls) if (c.number === d.number) c.missed = true;
        renderCalls(false);
      }
      renderWindows();
      break;
    }
    case EVENT.WINDOW_STATE: {
      const w = state.windows.get(d.window);
      if (w) Object.assign(w, { state: d.state, pause_reason: d.reason, clerk: d.state === 'closed' ? null : d.clerk,
                                staff_no: d.state === 'closed' ? null : d.staff_no });
      renderWindows();
      refreshServices();
      break;
    }
    case EVENT.QUEUE_STATS:
      for (const [code, st] of Object.entries(d)) {
        const s = state.services.get(code);
        if (s && st && typeof st === 'object') Object.assign(s, { waiting: st.waiting, eta_seconds: st.eta_seconds });
      }
      renderServices();
      if (byWindow) refreshServices(); // who is next: the event says how many wait, not who
      break;
    case EVENT.HALL_NOTICE:
      if (typeof d.notice === 'string') { state.notice = d.notice; renderNotice(); }
      break;
    case EVENT.HALL_CHANGED: // the hall file was reloaded: names, services, notice and voice read again
      refreshServices();
      break;
    default:
  }
}

// A board runs for days: yesterday's calls leave the screen overnight.
function dropOldCalls() {
  const keep = state.calls.filter((c) => { const ts = Date.parse(c.ts); return Number.isNaN(ts) || clock.now() - ts < 8 * 3600 * 1000; });
  if (keep.length !== state.calls.length) { state.calls = keep; renderCalls(false); }
}

// -- voice button ------------------------------------------------------------------------------
function renderVoice() {
  const needed = announcer.voice !== 'off' && (!announcer.enabled || announcer.blocked);
  $('#voice-btn').hidden = !needed;
  document.documentElement.dataset.voice = needed ? 'needs-click' : 'on';
}
announcer.onchange = renderVoice;
// A call the board could not voice in time (a busier hall than one voice can follow) stays on the
// board marked 未播报, so nobody waits for a number that will not be said.
announcer.onunvoiced = (item, reason) => {
  const c = state.calls.find((x) => x.seq === item.seq);
  if (c) { c.unvoiced = reason; renderCalls(false); }
};
$('#voice-btn').addEventListener('click', () => announcer.unlock());

// -- the entry code ------------------------------------------------------------------------------
// A new code each minute (one photographed and sent round stops working within minutes); shown until
// the server's next one, and hidden when the hall's code cannot be had (no token, the server away).
let entryTimer = null;
async function showEntryCode(token) {
  clearTimeout(entryTimer);
  let next = 15000;
  try {
    const c = await api(`/api/halls/${encodeURIComponent(hall)}/entry-code`, { token });
    const img = $('#entry-qr');
    if (img.dataset.code !== c.code) {
      img.src = `/qr.svg?data=${encodeURIComponent(c.url)}`;
      img.dataset.code = c.code;
    }
    $('#entry').hidden = false;
    next = Math.max(1000, c.next_in_seconds * 1000 + 300); // by the server's clock, whatever the board's says
  } catch {
    $('#entry').hidden = true;
  }
  entryTimer = setTimeout(() => showEntryCode(token), next);
}

// -- start ---------------------------------------------------------------------------------------
function start(token) {
  showEntryCode(token);
  const live = connectHall({
    hall, token, since: state.seq ?? undefined,
    onSnapshot(board) { applyBoard(board); renderAll(); },
    onEvent,
    onStatus(status, info) {
      if (status === 'refused' && info && info.code === 'unauthorized') askToken();
    },
  });
  window.hallq.live = live;
  mountLiveBanner(live);
}

async function main() {
  applyI18n();
  renderVoice();
  setInterval(renderClock, 1000);
  $('.b-main').hidden = byWindow;
  $('.w-mode').hidden = !byWindow;
  setInterval(() => { state.page += 1; renderServices(); renderWindows(); }, 10000); // lists that do not fit page on
  setInterval(() => { renderServices(); refreshServices(); }, 120000); // estimates age with time alone
  setInterval(dropOldCalls, 60000);
  document.addEventListener('langchange', renderAll);
  try { // something to show at once, even before the stream is up
    applyBoard(await api(`/api/halls/${encodeURIComponent(hall)}/board`));
    renderAll();
  } catch { /* the stream's snapshot will fill the page */ }
  const token = pageToken('display', hall);
  if (token) start(token);
  else askToken();
}

const askToken = () => askDisplayToken('display', hall, start);

main();
