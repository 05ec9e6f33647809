// 窗口工作台 (clerk console). URL: console.html?hall=demo[&window=5][&lang=en]
// Sign in, choose a window, open / pause / close it, call next, call a number, recall, start,
// finish (done, or 未办成 with a reason), finish and call the next in one, no-show, transfer to a
// service or a window, hold (挂起: the citizen steps away; back with one key), raise a waiting
// ticket's priority; the window's queue, the held tickets and the current ticket's matters with the
// citizen's masked name and its recalls. Every action has a key (F1 call next, ...).
// While a request is in flight every action is disabled: a double click never acts twice.

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, $$, el, debounce, fmtDuration, params } from './util.js';
import { authorized, mountSignIn, remembered, showSignIn } from './signin.js';
import { EVENT } from './events.js';

register({
  title: ['窗口工作台', 'Counter console'],
  change_window: ['切换窗口', 'Change window'],
  logout: ['退出登录', 'Sign out'],
  login_title: ['工作人员登录', 'Staff sign-in'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Sign in'],
  not_clerk: ['此账号不是窗口工作人员', 'This account is not a window clerk'],
  session_expired: ['登录已过期，请重新登录', 'Your session has expired; please sign in again'],
  choose_window: ['选择窗口', 'Choose a window'],
  floor_n: ['{n} 楼', 'Floor {n}'],
  window_unit: ['号窗口', ''],
  window_pre: ['', 'Window '],
  window_n: ['{n} 号窗口', 'Window {n}'],
  mine: ['您已登录此窗口', 'You are signed in here'],
  taken_by: ['{name} 已登录', '{name} signed in'],
  st_open: ['服务中', 'Open'],
  st_paused: ['暂停', 'Paused'],
  st_closed: ['未开启', 'Closed'],
  open: ['开启窗口', 'Open window'],
  resume: ['恢复服务', 'Resume'],
  pause: ['暂停', 'Pause'],
  close: ['关闭窗口', 'Close window'],
  current: ['当前号码', 'Current ticket'],
  citizen: ['办事人：', 'Citizen: '],
  call_next: ['呼叫下一位', 'Call next'],
  recall: ['重呼', 'Recall'],
  start: ['开始办理', 'Start'],
  finish: ['办结', 'Done'],
  case_no: ['办件编号', 'Case no.'],
  unresolved: ['未办成', 'Unresolved'],
  no_show: ['过号', 'No-show'],
  transfer: ['转办', 'Transfer'],
  call_number: ['指定叫号', 'Call number'],
  finish_next: ['办结并叫下一位', 'Done & next'],
  hold: ['挂起', 'Hold'],
  held: ['挂起中', 'On hold'],
  held_until: ['{t} 前回来', 'back by {t}'],
  back: ['回来了', 'Back'],
  recall_n: ['重呼 {n}/{max}', 'Recall {n}/{max}'],
  raise: ['提级', 'Raise'],
  priority_title: ['提高优先级', 'Raise the priority'],
  to_service: ['转到事项', 'To a service'],
  to_window: ['转到窗口', 'To a window'],
  msg_held: ['{n} 已挂起，可呼叫下一位', '{n} on hold; call the next'],
  msg_resumed: ['{n} 已回到窗口', '{n} is back'],
  msg_raised: ['{n} 已提级为 {k}', '{n} raised to {k}'],
  msg_to_window: ['{n} 已转至 {w} 号窗口', '{n} transferred to window {w}'],
  msg_queue_empty: ['暂无等候', 'Nobody is waiting'],
  queue: ['等候队列', 'Queue'],
  q_number: ['号码', 'No.'],
  q_service: ['事项', 'Service'],
  q_class: ['类别', 'Class'],
  q_waited: ['已等待', 'Waited'],
  q_call: ['呼叫', 'Call'],
  queue_empty: ['暂无等候', 'Nobody is waiting'],
  pause_title: ['暂停服务', 'Pause the window'],
  unresolved_title: ['未办成事项登记', 'Register an unresolved matter'],
  transfer_title: ['转办：其他事项或窗口', 'Transfer to a service or a window'],
  call_title: ['指定号码呼叫', 'Call a number'],
  reason: ['原因', 'Reason'],
  cancel: ['取消', 'Cancel'],
  not_open_notice: ['本窗口未开启：按“开启窗口”（Alt+O）开始服务', 'This window is closed: press Open window (Alt+O) to start'],
  paused_notice: ['暂停中：{reason}（按 F10 或 Alt+O 恢复）', 'Paused: {reason} (F10 or Alt+O resumes)'],
  other_clerk: ['{name} 正在使用本窗口', '{name} is signed in at this window'],
  m_waiting: ['等候', 'waiting'], m_called: ['已叫号', 'called'], m_serving: ['办理中', 'serving'],
  m_done: ['已办结', 'done'], m_unresolved: ['未办成', 'unresolved'], m_pending: ['待办', 'pending'],
  m_transferred: ['已转办', 'transferred'], m_no_show: ['过号', 'no-show'], m_cancelled: ['已取消', 'cancelled'],
  m_expired: ['已过期', 'expired'], m_held: ['挂起', 'on hold'],
  k_normal: ['普通', 'Normal'], k_appointment: ['预约', 'Appointment'],
  msg_called: ['已呼叫 {n}', 'Called {n}'],
  msg_recalled: ['已重呼 {n}', 'Recalled {n}'],
  msg_started: ['{n} 开始办理', 'Serving {n}'],
  msg_done: ['{n} 已办结，请办事人评价', '{n} done; please ask for a rating'],
  msg_next: ['{n} 已转入下一事项：{s}', '{n} moves on to: {s}'],
  msg_unresolved: ['{n} 已登记为未办成', '{n} registered as unresolved'],
  msg_no_show: ['{n} 已记为过号', '{n} marked as no-show'],
  msg_transferred: ['{n} 已转至 {s}', '{n} transferred to {s}'],
  msg_opened: ['窗口已开启', 'Window open'],
  msg_paused: ['窗口已暂停', 'Window paused'],
  msg_closed: ['窗口已关闭', 'Window closed'],
  r_leave: ['临时离开', 'Away briefly'], r_meeting: ['内部会议', 'Meeting'], r_system: ['系统故障', 'System fault'],
  r_review: ['材料审核', 'Reviewing files'],
  u_materials: ['材料不齐', 'Missing documents'], u_conditions: ['不符合受理条件', 'Does not qualify'],
  u_other_dept: ['需其他部门办理', 'Another department'], u_system: ['系统故障', 'System fault'],
});

const hall = params.get('hall') || 'demo';
const saved = remembered(`hallq.console.${hall}`);
const state = { session: null, info: null, board: null, window: Number(params.get('window')) || null, detail: null,
                busy: false, fetchedAt: 0, live: null };
window.hallq = { state };

// -- session -------------------------------------------------------------------------------------
const call = authorized(() => state.session && state.session.token, () => expired());

function expired() {
  if (state.session) signedOut(t('session_expired'));
}

function show(view) {
  for (const v of ['login', 'windows', 'console']) $(`#view-${v}`).hidden = v !== view;
  $('#logout').hidden = view === 'login';
  $('#change-window').hidden = view !== 'console';
  document.body.dataset.view = view;
}

const showLogin = (message = '') => showSignIn(state, show, message);

function signedIn(res) {
  state.session = { token: res.token, username: res.username, name: res.name, staff_no: res.staff_no, role: res.role };
  saved.save(state.session);
  return afterLogin();
}

async function afterLogin() {
  $('#who').textContent = `${state.session.name} · ${state.session.staff_no}`;
  state.info = await call(`/api/halls/${hall}`);
  $('#hall-name').textContent = nameOf(state.info);
  startLive();
  state.board = await api(`/api/halls/${hall}/board`);
  const mine = state.board.windows.find((w) => isMine(w));
  if (mine) state.window = mine.number;
  if (state.window && state.info.windows.some((w) => w.number === state.window)) await openConsole(state.window);
  else showWindows();
}

function signedOut(message = '') {
  state.session = null;
  saved.save(null);
  showLogin(message);
}

const isMine = (w) => !!(w && state.session && w.clerk === state.session.name && (w.staff_no || '') === (state.session.staff_no || '') && w.state !== 'closed');

// -- choosing a window ---------------------------------------------------------------------------
async function showWindows() {
  show('windows');
  try { state.board = await api(`/api/halls/${hall}/board`); } catch { /* keep the last */ }
  const byNo = new Map((state.board ? state.board.windows : []).map((w) => [w.number, w]));
  const svc = new Map((state.board ? state.board.services : []).map((s) => [s.code, s]));
  const items = [];
  let floor = null;
  for (const w of state.info.windows) {
    if (w.floor !== floor) { floor = w.floor; items.push(el('h3', { class: 'floor-title' }, t('floor_n', { n: floor }))); }
    const live = byNo.get(w.number) || {};
    const mine = isMine(live);
    const taken = !mine && live.state && live.state !== 'closed';
    const services = Object.keys(w.services || {}).map((c) => nameOf(svc.get(c)) || c).join('、');
    items.push(el('button', { class: `wcard ${mine ? 'mine' : ''} ${taken ? 'taken' : ''}`, dataset: { window: w.number },
                              onclick: () => openConsole(w.number) },
      el('div', { class: 'wc-no' }, t('window_n', { n: w.number })),
      el('div', { class: 'wc-svc' }, `${w.area || ''} · ${services}`),
      el('div', { class: 'wc-state' }, mine ? t('mine') : taken ? t('taken_by', { name: live.clerk || '' }) : t(`st_${live.state || 'closed'}`))));
  }
  $('#window-list').replaceChildren(...items);
}

async function openConsole(number) {
  state.window = number;
  const q = new URLSearchParams(location.search);
  q.set('window', String(number));
  history.replaceState(null, '', `${location.pathname}?${q}`);
  show('console');
  $('#c-window').textContent = number;
  state.detail = null;
  render();
  await refresh();
}

// -- the console -----------------------------------------------------------------------------------
function serviceName(code) {
  const s = (state.board ? state.board.services : []).find((x) => x.code === code);
  return s ? nameOf(s) : code;
}

function klassName(code) {
  const c = (state.info && state.info.priority_classes || []).find((x) => x.code === code);
  return c ? nameOf(c) : t(`k_${code}`);
}

async function refresh() {
  if (!state.window || !state.session) return;
  try {
    state.detail = await call(`/api/halls/${hall}/windows/${state.window}`);
    state.fetchedAt = Date.now();
  } catch (e) {
    if (e.status !== 401) message(errorText(e), 'bad');
  }
  render();
}
const refreshSoon = debounce(refresh, 200);

function render() {
  const d = state.detail;
  const mine = isMine(d);
  const wst = d ? d.state : 'closed';
  $('#c-state').textContent = t(`st_${wst}`);
  $('#c-state').className = `chip ${wst}`;
  $('#c-services').textContent = d ? d.services.map(serviceName).join('、') : '';
  const notice = $('#c-notice');
  if (d && wst !== 'closed' && !mine) { notice.textContent = t('other_clerk', { name: d.clerk || '' }); notice.hidden = false; }
  else if (d && wst === 'closed') { notice.textContent = t('not_open_notice'); notice.hidden = false; }
  else if (d && wst === 'paused') { notice.textContent = t('paused_notice', { reason: d.pause_reason || '' }); notice.hidden = false; }
  else notice.hidden = true;
  $('#btn-open').querySelector('span').textContent = wst === 'paused' && mine ? t('resume') : t('open');

  const cur = d && d.current;
  $('#cur-number').textContent = cur ? cur.number : '—';
  $('#cur-number').classList.toggle('empty', !cur);
  $('#cur-state').textContent = cur ? t(`m_${cur.state}`) : '';
  $('#cur-state').className = `chip ${cur ? cur.state : ''}`;
  $('#cur-klass').textContent = cur && cur.klass !== 'normal' ? klassName(cur.klass) : '';
  $('#cur-name').textContent = cur ? (cur.masked_name || '—') : '—';
  $('#cur-matters').replaceChildren(...(cur ? cur.matters.map((m, i) => el('li', { class: i === cur.current ? 'cur' : '' },
    `${i + 1}. ${nameOf(m)}`, el('span', { class: 'm-state' }, t(`m_${m.state}`)))) : []));

  const max = d ? d.max_recalls : 0;
  $('#btn-recall').querySelector('span').textContent = cur && cur.state === 'called' && cur.recalls
    ? t('recall_n', { n: cur.recalls, max }) : t('recall');
  const held = d ? d.held || [] : [];
  $('#held-box').hidden = held.length === 0;
  $('#held-list').replaceChildren(...held.map((h) => el('li', { dataset: { number: h.number } },
    el('b', { class: 'num' }, h.number),
    el('span', { class: 'muted' }, h.held_until ? t('held_until', { t: clockTime(h.held_until) }) : ''),
    el('button', { class: 'btn ok act', dataset: { act: 'resume', number: h.number },
                   onclick: () => doAction('resume', { number: h.number }) }, t('back')))));

  const queue = d ? d.queue : [];
  const elapsed = state.fetchedAt ? (Date.now() - state.fetchedAt) / 1000 : 0;
  $('#q-count').textContent = d ? String(queue.length) : '';
  $('#q-empty').hidden = !d || queue.length > 0;
  $('#q-body').replaceChildren(...queue.map((q) => el('tr', { class: q.front ? 'front' : '', dataset: { number: q.number } },
    el('td', { class: 'qn' }, q.number),
    el('td', { class: 'qs', title: serviceName(q.service) }, serviceName(q.service)),
    el('td', {}, q.klass === 'normal' ? '' : el('span', { class: 'chip klass' }, klassName(q.klass))),
    el('td', { class: 'num' }, fmtDuration(q.waited_seconds + elapsed)),
    el('td', { class: 'q-acts' },
      el('button', { class: 'btn act', dataset: { act: 'call', number: q.number },
                     onclick: () => act('call', { number: q.number }) }, t('q_call')),
      el('button', { class: 'btn act', dataset: { act: 'raise', number: q.number },
                     onclick: () => doAction('raise', { number: q.number, klass: q.klass }) }, t('raise'))))));
  updateButtons();
}

// Which actions make sense now; everything is off while a request is in flight.
function updateButtons() {
  const d = state.detail;
  const mine = isMine(d);
  const wst = d ? d.state : 'closed';
  const cur = d && d.current;
  const can = {
    open: !!d && (wst === 'closed' || (mine && wst === 'paused')),
    pause: mine && wst === 'open',
    close: mine && !cur,
    'call-next': mine && wst === 'open' && !cur,
    call: mine && wst === 'open' && !cur,
    recall: mine && !!cur && cur.state === 'called' && cur.recalls < d.max_recalls,
    start: mine && !!cur && cur.state === 'called',
    finish: mine && !!cur,
    unresolved: mine && !!cur,
    'no-show': mine && !!cur && cur.state === 'called',
    transfer: mine && !!cur,
    'finish-next': mine && !!cur,
    hold: mine && !!cur,
    resume: mine && wst === 'open' && !cur && (d.held || []).length > 0,
    raise: !!d && (state.info.priority_classes || []).length > 0,
  };
  for (const b of $$('button.act')) b.disabled = state.busy || !can[b.dataset.act];
  state.can = can;
}

function message(text, kind = '') {
  const m = $('#c-message');
  m.textContent = text;
  m.className = `c-message ${kind}`;
}

const ACTION_MESSAGES = { 'call-next': 'msg_called', call: 'msg_called', recall: 'msg_recalled', start: 'msg_started',
                          'no-show': 'msg_no_show', open: 'msg_opened', pause: 'msg_paused', close: 'msg_closed',
                          resume: 'msg_resumed' };

const clockTime = (iso) => iso.slice(11, 16); // the hall's local time, as the server writes it

// One action at a time. Returns after the window's state is read again.
async function act(action, body) {
  if (state.busy || !state.window) return;
  const before = state.detail && state.detail.current;
  state.busy = true;
  updateButtons();
  document.body.classList.add('busy');
  try {
    const res = await call(`/api/halls/${hall}/windows/${state.window}/${action}`, { method: 'POST', body: body || {} });
    const n = (res.ticket && res.ticket.number) || (res.released && res.released.number) || (before && before.number) || '';
    if (action === 'finish') {
      $('#case-no').value = '';
      const rel = res.released;
      if (body && body.result === 'unresolved') message(t('msg_unresolved', { n }), 'ok');
      else if (rel && rel.state === 'waiting') message(t('msg_next', { n, s: rel.service_name }), 'ok');
      else message(t('msg_done', { n }), 'ok');
    } else if (action === 'finish-next') {
      $('#case-no').value = '';
      const done = t('msg_done', { n: res.released.number });
      message(`${done} · ${res.ticket ? t('msg_called', { n: res.ticket.number }) : t('msg_queue_empty')}`, 'ok');
    } else if (action === 'hold') {
      message(t('msg_held', { n: before ? before.number : '' }), 'ok');
    } else if (action === 'transfer' && body.window) {
      message(t('msg_to_window', { n, w: body.window }), 'ok');
    } else if (action === 'transfer') {
      message(t('msg_transferred', { n, s: serviceName(body.service) }), 'ok');
    } else {
      message(t(ACTION_MESSAGES[action] || action, { n }), 'ok');
    }
    state.detail = null; // read it fresh: queue and ticket both changed
    await refresh();
  } catch (e) {
    message(errorText(e), 'bad');
    await refresh();
  } finally {
    state.busy = false;
    document.body.classList.remove('busy');
    updateButtons();
  }
}

// Raising a waiting ticket's priority is about the ticket, not the window.
async function raise(number, klass, reason) {
  if (state.busy) return;
  state.busy = true;
  updateButtons();
  try {
    await call(`/api/halls/${hall}/tickets/${encodeURIComponent(number)}/priority`, { method: 'POST', body: { klass, reason } });
    message(t('msg_raised', { n: number, k: klassName(klass) }), 'ok');
  } catch (e) {
    message(errorText(e), 'bad');
  } finally {
    state.busy = false;
    await refresh();
  }
}

// 办件编号 (optional): the business system's case number, the key of this matter's rating at the
// provincial 好差评 platform; sent with the finish, then cleared for the next matter.
function withCase(body) {
  const caseNo = $('#case-no').value.trim();
  return caseNo ? { ...body, case_no: caseNo } : body;
}

// -- dialogs ---------------------------------------------------------------------------------------
function ask(id, prepare) {
  return new Promise((resolve) => {
    const dlg = $(id);
    if (prepare) prepare(dlg);
    dlg.returnValue = '';
    dlg.onclose = () => resolve(dlg.returnValue === 'ok');
    // Enter submits with the first submit button (OK); Cancel and Esc close without acting.
    for (const b of dlg.querySelectorAll('[data-close]')) b.onclick = () => dlg.close('cancel');
    dlg.showModal();
    const first = dlg.querySelector('input, select');
    if (first) { first.focus(); if (first.select) first.select(); }
  });
}

function fillChips(dlg, keys) {
  const box = dlg.querySelector('.chips');
  const input = $(`#${box.dataset.for}`);
  box.replaceChildren(...keys.map((k) => el('button', { type: 'button', onclick: () => { input.value = t(k); input.focus(); } }, t(k))));
}

async function doAction(name, arg = {}) {
  if (state.busy || !state.can || !state.can[name]) return;
  switch (name) {
    case 'pause':
      if (await ask('#dlg-pause', (d) => { fillChips(d, ['r_leave', 'r_meeting', 'r_review', 'r_system']); $('#pause-reason').value = ''; })) {
        await act('pause', { reason: $('#pause-reason').value.trim() || undefined });
      }
      break;
    case 'unresolved':
      if (await ask('#dlg-unresolved', (d) => { fillChips(d, ['u_materials', 'u_conditions', 'u_other_dept', 'u_system']); $('#unresolved-reason').value = ''; })) {
        await act('finish', withCase({ result: 'unresolved', reason: $('#unresolved-reason').value.trim() }));
      }
      break;
    case 'transfer':
      if (await ask('#dlg-transfer', () => {
        const cur = state.detail.current;
        // Another service, or a staffed window serving the ticket's service (a colleague, a specialist).
        const windows = (state.board.windows || []).filter((w) => w.number !== state.window && w.state !== 'closed'
          && (state.info.windows.find((x) => x.number === w.number) || { services: {} }).services[cur.service] !== undefined);
        $('#transfer-target').replaceChildren(
          el('optgroup', { label: t('to_service') }, ...state.board.services.filter((s) => s.code !== cur.service)
            .map((s) => el('option', { value: `s:${s.code}` }, `${s.prefix} · ${nameOf(s)}`))),
          el('optgroup', { label: t('to_window') }, ...windows
            .map((w) => el('option', { value: `w:${w.number}` }, t('window_n', { n: w.number })))));
      })) {
        const [kind, value] = $('#transfer-target').value.split(':');
        await act('transfer', kind === 'w' ? { window: Number(value) } : { service: value });
      }
      break;
    case 'resume': {
      const held = state.detail.held || [];
      await act('resume', { number: arg.number || held[0].number });
      break;
    }
    case 'raise': {
      const boost = (code) => ((state.info.priority_classes || []).find((c) => c.code === code) || { boost_minutes: 0 }).boost_minutes;
      if (await ask('#dlg-priority', () => {
        $('#priority-number').textContent = arg.number;
        $('#priority-reason').value = '';
        $('#priority-klass').replaceChildren(...state.info.priority_classes.filter((c) => boost(c.code) > boost(arg.klass))
          .map((c) => el('option', { value: c.code }, nameOf(c))));
      })) {
        await raise(arg.number, $('#priority-klass').value, $('#priority-reason').value.trim());
      }
      break;
    }
    case 'finish-next':
      await act('finish-next', withCase({ result: 'done' }));
      break;
    case 'call':
      if (await ask('#dlg-call', () => { $('#call-number').value = ''; })) {
        await act('call', { number: $('#call-number').value.trim().toUpperCase() });
      }
      break;
    case 'finish':
      await act('finish', withCase({ result: 'done' }));
      break;
    default:
      await act(name);
  }
}

const KEYS = { F1: 'call-next', F2: 'recall', F3: 'start', F4: 'finish', F5: 'hold', F6: 'unresolved', F7: 'no-show',
               F8: 'transfer', F9: 'call', F11: 'finish-next' };

function onKey(e) {
  if (document.body.dataset.view !== 'console' || document.querySelector('dialog[open]')) return;
  let name = KEYS[e.key];
  if (e.key === 'F10') name = state.detail && state.detail.state === 'paused' ? 'open' : 'pause';
  if (e.altKey && (e.key === 'o' || e.key === 'O')) name = 'open';
  if (e.altKey && (e.key === 'x' || e.key === 'X')) name = 'close';
  if (e.altKey && (e.key === 'r' || e.key === 'R')) name = 'resume'; // the held citizen is back (the first held)
  if (!name) return;
  e.preventDefault(); // F1 help, F3 find, ... belong to the console here
  if (!e.repeat) doAction(name);
}

// -- live updates -----------------------------------------------------------------------------------
function touchesMe(ev) {
  const d = state.detail;
  if (!d) return true;
  const data = ev.data || {};
  if (data.window === state.window) return true;
  const mine = new Set(d.services);
  if (ev.type === EVENT.QUEUE_STATS) return Object.keys(data).some((c) => mine.has(c));
  return mine.has(data.service) || mine.has(data.next_service) || mine.has(data.from);
}

function startLive() {
  if (state.live) state.live.close();
  state.live = connectHall({
    hall, token: state.session.token, topics: ['ticket', 'window', 'queue'],
    onSnapshot(board) { state.board = board; if (state.window) refreshSoon(); },
    onEvent(ev) { if (document.body.dataset.view === 'console' && touchesMe(ev)) refreshSoon(); },
    onStatus(status, info) { if (status === 'refused' && info && info.code === 'unauthorized') expired(); },
  });
  mountLiveBanner(state.live);
}

// -- start --------------------------------------------------------------------------------------------
function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', () => { if (document.body.dataset.view === 'windows') showWindows(); else render(); });
  mountSignIn({ roles: ['clerk', 'manager', 'admin'], refused: 'not_clerk', signedIn,
                token: () => state.session && state.session.token, signedOut });
  $('#change-window').addEventListener('click', showWindows);
  for (const b of $$('.work-main > .actions button.act, .wbar button.act')) b.addEventListener('click', () => doAction(b.dataset.act));
  document.addEventListener('keydown', onKey);
  setInterval(() => { if (document.body.dataset.view === 'console' && !state.busy) render(); }, 15000); // waited times
  setInterval(() => { if (document.body.dataset.view === 'console' && !state.busy) refresh(); }, 60000);
  state.session = saved.load();
  if (!state.session) { showLogin(); return; }
  afterLogin().catch((e) => { if (state.session) showLogin(errorText(e)); });
}

main();
