// 窗口屏 (window screen). URL: window.html?hall=demo&window=5[&lang=en][#token=<display token>]
// Window number, the number being served (flashing when called), the clerk's name and staff
// number; "暂停服务" with the reason when the window is paused or closed.

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, nameOf, register, t } from './i18n.js';
import { $, askToken as askDisplayToken, HallClock, pageToken, params } from './util.js';
import { EVENT } from './events.js';

register({
  window_unit: ['号窗口', ''],
  window_pre: ['', 'Window '],
  paused: ['暂停服务', 'Closed'],
  closed_reason: ['本窗口暂未开放，请到其他窗口办理', 'This window is not open'],
  clerk: ['工作人员', 'Clerk'],
  staff_no: ['工号', 'Staff no.'],
  calling: ['请 {n} 号到本窗口办理', 'Number {n}, please come to this window'],
  calling_short: ['请以下号码到本窗口', 'Now calling'],
  serving: ['正在办理', 'Now serving'],
  idle: ['欢迎光临', 'Welcome'],
  setup_title: ['本屏尚未配置', 'This screen is not set up'],
  setup_help: ['请输入显示屏设备令牌，或在地址末尾加上 #token=…', 'Enter a display device token, or add #token=… to the end of the address'],
  setup_token: ['显示屏令牌', 'display token'],
  save: ['保存', 'Save'],
});

const hall = params.get('hall') || 'demo';
const number = Number(params.get('window')) || 1;
const clock = new HallClock();
const state = { window: null, services: new Map() };
window.hallq = { state };

function render(flash = false) {
  const w = state.window;
  $('#w-number').textContent = number;
  if (!w) return;
  $('#w-services').textContent = (w.services || []).map((c) => nameOf(state.services.get(c)) || c).join(' · ');
  $('#w-area').textContent = w.area || '';
  const main = $('#w-main');
  const st = w.state || 'closed';
  main.className = `w-main state-${st}`;
  main.dataset.state = st;
  main.dataset.ticket = w.ticket || '';
  if (st === 'open') {
    if (w.ticket) {
      main.classList.add(w.ticket_state === 'serving' ? 'serving' : 'called');
      $('#w-label').textContent = w.ticket_state === 'serving' ? t('serving') : t('calling_short');
      $('#w-ticket').textContent = w.ticket;
      if (flash) { const tk = $('#w-ticket'); tk.style.animation = 'none'; void tk.offsetWidth; tk.style.animation = ''; }
    } else {
      main.classList.add('idle');
      $('#w-label').textContent = t('idle');
      $('#w-ticket').textContent = '';
    }
  } else {
    $('#w-reason').textContent = st === 'paused' ? (w.pause_reason || '') : t('closed_reason');
  }
  $('#w-clerk').textContent = st === 'closed' ? '—' : (w.clerk || '—');
  $('#w-staff').textContent = st === 'closed' ? '—' : (w.staff_no || '—');
  document.title = `${number}${t('window_unit')} · ${w.ticket || ''}`;
}

const tick = () => { $('#w-clock').textContent = clock.hhmm(); };

function applyBoard(board) {
  clock.sync(board.now);
  tick();
  state.services = new Map(board.services.map((s) => [s.code, s]));
  state.window = board.windows.find((w) => w.number === number) || { number, state: 'closed', services: [] };
  state.seq = board.seq;
  render();
}

function onEvent(ev) {
  const d = ev.data || {};
  const w = state.window;
  if (!w || d.window !== number) return;
  switch (ev.type) {
    case EVENT.TICKET_CALLED:
    case EVENT.TICKET_RECALLED:
      Object.assign(w, { ticket: d.number, ticket_state: 'called' });
      render(true);
      break;
    case EVENT.TICKET_SERVING:
      Object.assign(w, { ticket: d.number, ticket_state: 'serving' });
      render();
      break;
    case EVENT.TICKET_DONE:
    case EVENT.TICKET_NO_SHOW:
    case EVENT.TICKET_TRANSFERRED:
      if (w.ticket === d.number) Object.assign(w, { ticket: null, ticket_state: null });
      render();
      break;
    case EVENT.WINDOW_STATE:
      Object.assign(w, { state: d.state, pause_reason: d.reason, clerk: d.clerk, staff_no: d.staff_no });
      if (d.state === 'closed') Object.assign(w, { clerk: null, staff_no: null, ticket: null, ticket_state: null });
      render();
      break;
    default:
  }
}

function start(token) {
  const live = connectHall({
    hall, token, since: state.seq ?? undefined, topics: ['ticket', 'window'],
    onSnapshot: applyBoard, onEvent,
    onStatus(status, info) { if (status === 'refused' && info && info.code === 'unauthorized') askToken(); },
  });
  window.hallq.live = live;
  mountLiveBanner(live);
}

const askToken = () => askDisplayToken('display', hall, start);

async function main() {
  applyI18n();
  render();
  setInterval(tick, 1000);
  setInterval(async () => { // a screen runs for days: re-read the window and the clock now and then
    try {
      const board = await api(`/api/halls/${encodeURIComponent(hall)}/board`);
      const live = window.hallq.live;
      if (!live || live.seq === undefined || board.seq >= live.seq) applyBoard(board); // never step back
      else { clock.sync(board.now); tick(); }
    } catch { /* next time */ }
  }, 600000);
  document.addEventListener('langchange', () => render());
  try { applyBoard(await api(`/api/halls/${encodeURIComponent(hall)}/board`)); } catch { /* the stream's snapshot fills in */ }
  const token = pageToken('display', hall);
  if (token) start(token); else askToken();
}

main();
