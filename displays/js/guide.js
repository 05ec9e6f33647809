// 引导员 tablet. URL: guide.html?hall=demo[&lang=en][#token=<guide device token>]
// Without a device token the guide signs in. Issue a ticket for a citizen (matters in order, a
// priority class, the ID card where a matter needs it), look a ticket up by number, re-activate
// a missed one, and watch the waiting per service.

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, debounce, fmtEta, pageToken, params, storeToken } from './util.js';
import { authorized, mountSignIn } from './signin.js';
import { EVENT } from './events.js';

register({
  title: ['引导员', 'Floor guide'],
  logout: ['退出', 'Sign out'],
  login_title: ['引导员登录', 'Guide sign-in'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Sign in'],
  not_guide: ['此账号不能取号', 'This account cannot issue tickets'],
  issue_title: ['帮办取号', 'Issue a ticket'],
  topics: ['一件事（常用组合）', 'One whole thing (common sets)'],
  services: ['办理事项（按办理顺序点选）', 'Matters (tap in the order to serve)'],
  chosen: ['已选事项', 'Chosen'],
  none_chosen: ['尚未选择', 'Nothing chosen'],
  priority: ['优先类别', 'Priority class'],
  normal: ['普通', 'Normal'],
  idcard: ['身份证', 'ID card'],
  idcard_needed: ['所选事项须核验身份证', 'a chosen matter needs the ID card'],
  id_number: ['身份证号码（18 位）', 'ID number (18 digits)'],
  id_name: ['姓名', 'Name'],
  clear: ['清空', 'Clear'],
  issue: ['出号', 'Issue'],
  closed_now: ['未到办理时间', 'closed now'],
  waiting_n: ['等候 {n}', '{n} waiting'],
  issued_number: ['排队号', 'Ticket number'],
  issued_info: ['前面 {n} 人 · 预计等候 {eta}', '{n} ahead · {eta}'],
  issued_next: ['下一位即可办理', 'Next in line'],
  scan: ['扫码查看排队进度', 'Scan to follow the queue'],
  done: ['完成', 'Done'],
  sms_title: ['短信提醒（可选，号码仅保存到今天结束）', 'Text reminders (optional; the number is kept until today ends)'],
  sms_phone: ['手机号码（11 位）', 'Mobile number (11 digits)'],
  sms_family: ['家人的号码', "A family member's"],
  sms_on: ['短信将发送至 {phone}', 'Text messages go to {phone}'],
  lookup_title: ['查询号码', 'Look up a ticket'],
  lookup: ['查询', 'Look up'],
  reactivate: ['重新激活', 'Re-activate'],
  arrive: ['到厅签到', 'Check in'],
  not_arrived: ['线上取号，尚未签到', 'Taken online, not checked in'],
  cancel_ticket: ['取消此号', 'Cancel ticket'],
  confirm_cancel: ['确定取消 {n} 号？', 'Cancel ticket {n}?'],
  reactivated: ['{n} 已重新排队，前面 {p} 人', '{n} is back in the queue, {p} ahead'],
  position: ['前面 {n} 人', '{n} ahead'],
  at_window: ['{n} 号窗口', 'window {n}'],
  citizen: ['办事人', 'Citizen'],
  waiting_title: ['各事项等候情况', 'Waiting per service'],
  bad_id: ['请输入 18 位身份证号码', 'enter the 18-character ID number'],
  s_waiting: ['等候中', 'Waiting'], s_called: ['已叫号', 'Called'], s_serving: ['办理中', 'Serving'],
  s_done: ['已办结', 'Done'], s_no_show: ['已过号', 'Missed'], s_cancelled: ['已取消', 'Cancelled'],
  s_expired: ['已过期', 'Expired'], s_unresolved: ['未办成', 'Unresolved'], s_pending: ['待办', 'Pending'],
  s_transferred: ['已转办', 'Transferred'],
});

const hall = params.get('hall') || 'demo';
const state = { token: null, info: null, services: [], chosen: [], klass: 'normal', busy: false, idemKey: null,
                lookup: null, live: null };
window.hallq = { state };

// -- sign-in ------------------------------------------------------------------------------------
function show(view) {
  $('#view-login').hidden = view !== 'login';
  $('#view-main').hidden = view !== 'main';
  $('#logout').hidden = view !== 'main';
}

function setToken(token, who = '') {
  state.token = token;
  storeToken('guide', hall, token);
  try { who ? localStorage.setItem(`hallq.guide.who.${hall}`, who) : localStorage.removeItem(`hallq.guide.who.${hall}`); } catch { /* ignore */ }
}

function signedIn(res) {
  setToken(res.token, `${res.name} · ${res.staff_no}`);
  return startMain();
}

// A sign-in session ends on the server; a device token (given in the address) must survive.
function userToken() {
  try { return localStorage.getItem(`hallq.guide.who.${hall}`) ? state.token : null; } catch { return null; }
}

function signedOut() {
  setToken(null);
  if (state.live) { state.live.close(); state.live = null; }
  $('#who').textContent = '';
  show('login');
}

const call = authorized(() => state.token, () => signedOut());

// -- issuing ------------------------------------------------------------------------------------
const svcByCode = (code) => state.services.find((s) => s.code === code);

function toggleService(code) {
  const i = state.chosen.indexOf(code);
  if (i >= 0) state.chosen.splice(i, 1);
  else if (state.chosen.length < 5) state.chosen.push(code);
  state.idemKey = null;
  renderIssue();
}

function renderIssue() {
  $('#topics').replaceChildren(...(state.info.topics || []).map((tp) => el('button', { type: 'button', onclick: () => {
    state.chosen = [...tp.services]; state.idemKey = null; renderIssue();
  } }, nameOf(tp))));
  $('#services').replaceChildren(...state.services.map((s) => el('button', {
    type: 'button', class: `svc ${state.chosen.includes(s.code) ? 'on' : ''}`, dataset: { service: s.code },
    disabled: !s.open && !state.chosen.includes(s.code), onclick: () => toggleService(s.code),
  }, el('span', { class: 'pre' }, s.prefix),
     el('span', { class: 'txt' }, el('span', { class: 'nm', title: nameOf(s) }, nameOf(s)),
       el('span', { class: 'wt' }, s.open ? t('waiting_n', { n: s.waiting }) : t('closed_now'))))));
  $('#chosen').replaceChildren(...(state.chosen.length ? state.chosen.map((c) => el('li', {}, nameOf(svcByCode(c))))
    : [el('li', { class: 'muted' }, t('none_chosen'))]));
  const classes = [{ code: 'normal', name: t('normal'), name_en: t('normal') }, ...(state.info.priority_classes || [])];
  $('#classes').replaceChildren(...classes.map((c) => el('button', { type: 'button', class: state.klass === c.code ? 'on' : '',
    dataset: { klass: c.code }, onclick: () => { state.klass = c.code; state.idemKey = null; renderIssue(); } }, nameOf(c))));
  const needsId = state.chosen.some((c) => svcByCode(c) && svcByCode(c).id_card_required);
  $('#idcard-need').hidden = !needsId;
  $('#issue-btn').disabled = state.busy || !state.chosen.length;
}

function newKey() {
  // crypto.randomUUID needs a secure context; hall tablets often use plain http on the LAN.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return `guide-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

async function issue() {
  if (state.busy || !state.chosen.length) return;
  const idNumber = $('#id-number').value.trim().toUpperCase();
  if (idNumber && !/^\d{17}[\dX]$/.test(idNumber)) { $('#issue-error').textContent = t('bad_id'); return; }
  state.busy = true;
  renderIssue();
  $('#issue-error').textContent = '';
  state.idemKey = state.idemKey || newKey(); // the same key if this very request is retried
  try {
    const body = { services: state.chosen };
    if (state.klass !== 'normal') body.priority = state.klass;
    if (idNumber) body.id_card = { id_number: idNumber, name: $('#id-name').value.trim() };
    const phone = $('#sms-phone').value.trim();
    if (phone) body.notify = { phone, family: $('#sms-family').checked };
    const tk = await call(`/api/halls/${hall}/tickets`, { method: 'POST', body, headers: { 'Idempotency-Key': state.idemKey } });
    showIssued(tk);
    clearForm();
    loadServices();
  } catch (e) {
    $('#issue-error').textContent = errorText(e);
  } finally {
    state.busy = false;
    renderIssue();
  }
}

function clearForm() {
  state.chosen = [];
  state.klass = 'normal';
  state.idemKey = null;
  $('#id-number').value = '';
  $('#id-name').value = '';
  $('#sms-phone').value = '';
  $('#sms-family').checked = false;
  $('#issue-error').textContent = '';
  renderIssue();
}

function showIssued(tk) {
  $('#issued-number').textContent = tk.number;
  $('#issued-info').textContent = tk.position ? t('issued_info', { n: tk.position, eta: fmtEta(tk.eta_seconds, tk.eta_low_seconds, tk.eta_high_seconds) }) : t('issued_next');
  $('#issued-sms').hidden = !tk.notify;
  $('#issued-sms').textContent = tk.notify ? t('sms_on', { phone: tk.notify.phone }) : '';
  $('#issued-matters').replaceChildren(...tk.matters.map((m) => el('li', {}, nameOf(m))));
  $('#issued-qr').src = `/qr.svg?data=${encodeURIComponent(tk.status_url)}`;
  $('#dlg-issued').dataset.number = tk.number;
  $('#dlg-issued').showModal();
}

// -- lookup -------------------------------------------------------------------------------------
async function lookup(number) {
  number = (number || '').trim().toUpperCase();
  if (!number) return;
  try {
    state.lookup = await call(`/api/halls/${hall}/tickets/${encodeURIComponent(number)}`);
    renderLookup();
  } catch (e) {
    state.lookup = null;
    $('#lookup-result').replaceChildren(el('p', { class: 'error' }, errorText(e)));
  }
}

function renderLookup() {
  const tk = state.lookup;
  if (!tk) return;
  const note = state.lookupNote && state.lookupNote.number === tk.number ? state.lookupNote.text : '';
  const actions = [];
  if (tk.state === 'no_show') actions.push(el('button', { class: 'btn ok', id: 'reactivate-btn', onclick: reactivate }, t('reactivate')));
  if (tk.state === 'waiting' && tk.absent === 'remote') actions.push(el('button', { class: 'btn ok', id: 'arrive-btn', onclick: arrive }, t('arrive')));
  if (tk.state === 'waiting' || tk.state === 'no_show') actions.push(el('button', { class: 'btn', onclick: cancelTicket }, t('cancel_ticket')));
  $('#lookup-result').replaceChildren(
    el('div', { class: 'lk-row' }, el('span', { class: 'lk-number' }, tk.number),
      el('span', { class: 'chip', dataset: { state: tk.state } }, t(`s_${tk.state}`)),
      tk.state === 'waiting' && tk.position != null ? el('span', {}, t('position', { n: tk.position })) : null,
      tk.window ? el('span', {}, t('at_window', { n: tk.window })) : null,
      tk.state === 'waiting' && tk.absent === 'remote' ? el('span', { class: 'chip', id: 'lk-absent' }, t('not_arrived')) : null),
    tk.masked_name ? el('div', { class: 'muted' }, `${t('citizen')}：${tk.masked_name}`) : null,
    el('ol', { class: 'lk-matters' }, ...tk.matters.map((m) => el('li', {}, `${nameOf(m)} · ${t(`s_${m.state}`)}`))),
    note ? el('p', { class: 'ok-note' }, note) : null,
    actions.length ? el('div', { class: 'lk-actions' }, ...actions) : null);
}

async function arrive() {
  const tk = state.lookup;
  if (!tk || state.busy) return;
  state.busy = true;
  try {
    state.lookup = { ...(await call(`/api/halls/${hall}/tickets/${tk.number}/arrive`, { method: 'POST' })), masked_name: tk.masked_name };
    renderLookup();
  } catch (e) {
    $('#lookup-result').append(el('p', { class: 'error' }, errorText(e)));
  } finally {
    state.busy = false;
  }
}

async function reactivate() {
  const tk = state.lookup;
  if (!tk || state.busy) return;
  state.busy = true;
  try {
    const res = await call(`/api/halls/${hall}/tickets/${tk.number}/reactivate`, { method: 'POST' });
    state.lookup = { ...res, masked_name: tk.masked_name };
    // kept while the live updates re-read this ticket
    state.lookupNote = { number: res.number, text: t('reactivated', { n: res.number, p: res.position ?? 0 }) };
    renderLookup();
  } catch (e) {
    $('#lookup-result').append(el('p', { class: 'error' }, errorText(e)));
  } finally {
    state.busy = false;
  }
}

async function cancelTicket() {
  const tk = state.lookup;
  if (!tk || !confirm(t('confirm_cancel', { n: tk.number }))) return;
  try {
    state.lookup = { ...(await call(`/api/halls/${hall}/tickets/${tk.number}/cancel`, { method: 'POST' })), masked_name: tk.masked_name };
    renderLookup();
  } catch (e) {
    $('#lookup-result').append(el('p', { class: 'error' }, errorText(e)));
  }
}

const relookup = debounce(() => { if (state.lookup) lookup(state.lookup.number); }, 300);

// -- waiting per service ----------------------------------------------------------------------
function renderWaiting() {
  $('#waiting').replaceChildren(...state.services.map((s) => el('tr', { dataset: { service: s.code } },
    el('td', {}, el('span', { class: 'pre' }, s.prefix), nameOf(s)),
    el('td', { class: 'n num' }, String(s.waiting)),
    el('td', { class: 'e' }, s.waiting ? fmtEta(s.eta_seconds) : '—'))));
}

async function loadServices() {
  try {
    state.services = await api(`/api/halls/${hall}/services`);
    renderIssue();
    renderWaiting();
  } catch { /* the next event retries */ }
}

function onEvent(ev) {
  const d = ev.data || {};
  if (ev.type === EVENT.QUEUE_STATS) {
    for (const [code, st] of Object.entries(d)) {
      const s = svcByCode(code);
      if (s && st && typeof st === 'object') Object.assign(s, { waiting: st.waiting, eta_seconds: st.eta_seconds });
    }
    renderWaiting();
    renderIssue();
  }
  if (state.lookup && d.number === state.lookup.number && ev.type.startsWith('ticket.')) relookup();
}

// -- start ----------------------------------------------------------------------------------------
async function startMain() {
  show('main');
  try { $('#who').textContent = localStorage.getItem(`hallq.guide.who.${hall}`) || ''; } catch { /* ignore */ }
  state.info = await api(`/api/halls/${hall}`);
  $('#sms-row').hidden = !state.info.sms;
  $('#hall-name').textContent = nameOf(state.info);
  await loadServices();
  if (state.live) state.live.close();
  state.live = connectHall({ hall, token: state.token, topics: ['queue', 'ticket'], onEvent,
    onSnapshot: () => loadServices(),
    onStatus(status, info) { if (status === 'refused' && info && info.code === 'unauthorized') signedOut(); } });
  mountLiveBanner(state.live);
}

function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', () => { if (state.info) { renderIssue(); renderWaiting(); renderLookup(); } });
  mountSignIn({ roles: ['guide', 'manager', 'admin'], refused: 'not_guide', signedIn, token: userToken, signedOut });
  $('#issue-btn').addEventListener('click', issue);
  $('#clear-btn').addEventListener('click', clearForm);
  $('#lookup-form').addEventListener('submit', (e) => { e.preventDefault(); state.lookupNote = null; lookup($('#lookup-number').value); });
  state.token = pageToken('guide', hall);
  if (state.token) startMain().catch(() => show('login'));
  else show('login');
}

main();
