// A ticket on the citizen's phone: /take.html?hall=demo&code=… is what the boards' and kiosks' QR
// opens (the code changes every minute, so a photographed one soon stops working); without a code it
// takes a same-day place from outside (线上取号), called once its holder has checked in at the hall.
// Scanning the hall's QR again checks in the places this phone took from outside.
// Who takes it: an ID number, or a phone number proven by an SMS code (where the hall sends them).

import { api } from './api.js';
import { applyI18n, errorText, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, fmtEta, params } from './util.js';

register({
  title_hall: ['手机取号', 'Take a ticket on your phone'],
  hint_hall: ['选择办理事项，填写身份信息后取号；取号后请在等候区留意叫号。',
    'Choose your matters, say who you are, and take a ticket; then wait in the hall for your call.'],
  title_remote: ['线上取号（当日）', 'Take a place from outside (today)'],
  hint_remote: ['取号后请在 {m} 分钟内到达大厅，扫描大厅屏幕上的二维码或在自助机刷身份证签到，签到后才会叫号；逾时未签到作废。',
    'After taking it, come to the hall within {m} minutes and check in (scan the code on the hall screens, or place your ID card on a kiosk); you are called only after checking in. Not checked in by then, it lapses.'],
  remote_off: ['本大厅未开通线上取号，请到大厅扫描屏幕上的二维码取号。', 'This hall takes no places from outside: scan the code on the hall screens.'],
  mine_title: ['我在本厅的号', 'My tickets here'],
  checked_in: ['{n} 号已签到', '{n}: checked in'],
  pick: ['办理事项（可多选，按顺序办理）', 'Matters (one or more, in order)'],
  search: ['搜索事项', 'Search matters'],
  closed_now: ['现在不办理', 'closed now'],
  waiting_n: ['{n} 人等候 · {eta}', '{n} waiting · {eta}'],
  klass: ['类别', 'Category'],
  normal: ['普通', 'Standard'],
  who: ['取号人', 'Who takes it'],
  way_id: ['身份证号码', 'ID number'],
  way_phone: ['手机验证码', 'Phone + code'],
  id_number: ['18位身份证号码', '18-digit ID number'],
  id_note: ['只保存加密摘要，用于每人每日限号；办理时请带好身份证原件。',
    'Kept only as a keyed digest, for the daily limit per person; bring the card itself to the window.'],
  phone: ['11位手机号码', '11-digit mobile number'],
  code: ['6位验证码', '6-digit code'],
  send_code: ['获取验证码', 'Send code'],
  resend_in: ['{s} 秒后重发', 'resend in {s} s'],
  code_sent: ['验证码已发送至 {p}，5分钟内有效', 'Code sent to {p}, good for 5 minutes'],
  take: ['取号', 'Take a ticket'],
  need_service: ['请选择办理事项', 'Choose at least one matter'],
  no_hall: ['二维码不完整，请重新扫描', 'This link is incomplete: scan the code again'],
});

const hall = params.get('hall');
const code = params.get('code');
const MINE = `hallq.mytickets.${hall}`;
const state = { info: null, services: [], chosen: [], way: 'id', key: null, busy: false };
window.hallq = { state };

function mine() {
  try { return JSON.parse(localStorage.getItem(MINE) || '[]'); } catch { return []; }
}

function remember(view) {
  const list = mine().filter((m) => m.day === view.day);
  list.push({ token: view.token, number: view.number, day: view.day });
  try { localStorage.setItem(MINE, JSON.stringify(list.slice(-10))); } catch { /* private mode */ }
}

function showError(text) {
  $('#tk-error').textContent = text || '';
  $('#tk-error').hidden = !text;
}

function renderServices() {
  const q = $('#tk-search').value.trim().toLowerCase();
  const shown = state.services.filter((s) => !q || [s.name, s.name_en, ...(s.keywords || [])]
    .some((w) => String(w || '').toLowerCase().includes(q)) || state.chosen.includes(s.code));
  $('#tk-services').replaceChildren(...shown.map((s) => {
    const box = el('input', { type: 'checkbox', value: s.code, disabled: !s.open,
      onchange: (e) => {
        state.chosen = e.target.checked ? [...state.chosen, s.code].slice(0, 5) : state.chosen.filter((c) => c !== s.code);
        renderServices();
      } });
    box.checked = state.chosen.includes(s.code);
    const order = state.chosen.indexOf(s.code);
    return el('li', { class: s.open ? '' : 'closed', dataset: { code: s.code } },
      el('label', {}, box,
        el('span', { class: 'svc-name' }, `${order >= 0 ? `${order + 1}. ` : ''}${nameOf(s)}`),
        el('span', { class: 'svc-wait' }, s.open
          ? t('waiting_n', { n: s.waiting, eta: fmtEta(s.eta_seconds, s.eta_low_seconds, s.eta_high_seconds) })
          : t('closed_now'))));
  }));
}

function renderWay() {
  for (const b of document.querySelectorAll('.tk-ways button')) b.setAttribute('aria-selected', String(b.dataset.way === state.way));
  $('#tk-id').hidden = state.way !== 'id';
  $('#tk-phone').hidden = state.way !== 'phone';
}

function renderIntro() {
  const info = state.info;
  $('#hall-name').textContent = nameOf(info);
  const remote = !code;
  $('#tk-title').textContent = t(remote ? 'title_remote' : 'title_hall');
  $('#tk-hint').textContent = remote
    ? (info.phone.remote.enabled ? t('hint_remote', { m: info.phone.remote.arrive_minutes }) : t('remote_off'))
    : t('hint_hall');
  $('#tk-form').hidden = remote && !info.phone.remote.enabled;
  $('#tk-way-phone').hidden = !info.sms;
  const classes = info.priority_classes.filter((c) => c.self_service);
  $('#tk-class-row').hidden = !classes.length;
  $('#tk-class').replaceChildren(el('option', { value: '' }, t('normal')),
    ...classes.map((c) => el('option', { value: c.code }, nameOf(c))));
  renderWay();
  renderServices();
}

async function checkInMine() {
  // The hall's QR scanned again: places this phone took from outside are checked in.
  const items = [];
  for (const m of mine()) {
    let view;
    try {
      view = await api(`/api/tickets/${m.token}`);
      if (view.state === 'waiting' && view.absent === 'remote' && code) {
        view = await api(`/api/tickets/${m.token}/arrive`, { method: 'POST', body: { entry_code: code } });
        items.push(el('li', { dataset: { arrived: view.number } }, el('a', { href: `/t/${m.token}` }, t('checked_in', { n: view.number }))));
        continue;
      }
    } catch (e) {
      if (e.status === 404) continue;
      showError(errorText(e));
      continue;
    }
    if (!['done', 'cancelled', 'expired'].includes(view.state)) {
      items.push(el('li', {}, el('a', { href: `/t/${m.token}` }, `${view.number} · ${view.state_name}`)));
    }
  }
  $('#tk-mine-list').replaceChildren(...items);
  $('#tk-mine').hidden = !items.length;
}

let countdown = null;
async function sendCode() {
  showError('');
  const btn = $('#tk-send-code');
  btn.disabled = true;
  try {
    const phone = $('#tk-phone-number').value;
    const sent = await api(`/api/halls/${encodeURIComponent(hall)}/phone-codes`, { method: 'POST', body: { phone } });
    $('#tk-code-note').textContent = t('code_sent', { p: phone.replace(/\D/g, '').replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2') });
    $('#tk-code-note').hidden = false;
    let left = sent.resend_after_seconds;
    clearInterval(countdown);
    btn.textContent = t('resend_in', { s: left });
    countdown = setInterval(() => {
      left -= 1;
      if (left > 0) { btn.textContent = t('resend_in', { s: left }); return; }
      clearInterval(countdown);
      btn.textContent = t('send_code');
      btn.disabled = false;
    }, 1000);
  } catch (e) {
    showError(errorText(e));
    btn.disabled = false;
  }
}

async function take(ev) {
  ev.preventDefault();
  if (state.busy) return;
  showError('');
  if (!state.chosen.length) { showError(t('need_service')); return; }
  const body = { services: state.chosen };
  if ($('#tk-class').value) body.priority = $('#tk-class').value;
  if (code) body.entry_code = code;
  if (state.way === 'id') body.id_card = { id_number: $('#tk-id-number').value.trim().toUpperCase() };
  else Object.assign(body, { phone: $('#tk-phone-number').value.trim(), sms_code: $('#tk-sms-code').value.trim() });
  // One key per attempt: a retry after a lost answer gets the same ticket, not a second one.
  const sent = JSON.stringify(body);
  if (!state.key || state.key.body !== sent) state.key = { body: sent, id: crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) };
  state.busy = true;
  $('#tk-submit').disabled = true;
  try {
    const view = await api(`/api/halls/${encodeURIComponent(hall)}/phone-tickets`, {
      method: 'POST', body, headers: { 'Idempotency-Key': state.key.id } });
    remember(view);
    location.assign(`/t/${view.token}`);
  } catch (e) {
    showError(errorText(e));
  } finally {
    state.busy = false;
    $('#tk-submit').disabled = false;
  }
}

async function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  if (!hall) { showError(t('no_hall')); $('#tk-error').hidden = false; return; }
  document.addEventListener('langchange', () => state.info && renderIntro());
  $('#tk-search').addEventListener('input', renderServices);
  for (const b of document.querySelectorAll('.tk-ways button')) b.addEventListener('click', () => { state.way = b.dataset.way; renderWay(); });
  $('#tk-send-code').addEventListener('click', sendCode);
  $('#tk-form').addEventListener('submit', take);
  try {
    const [info, services] = await Promise.all([
      api(`/api/halls/${encodeURIComponent(hall)}`), api(`/api/halls/${encodeURIComponent(hall)}/services`)]);
    state.info = info;
    state.services = services;
    renderIntro();
    await checkInMine();
  } catch (e) {
    $('#tk-form').hidden = true;
    showError(errorText(e));
  }
}

main();
