// Appointment booking (预约) for citizens. URL: book.html?hall=demo[&service=biz-setup][&lang=en]
// Choose a service, a day (within two weeks) and a free slot; get a code and its QR to check in
// with at the kiosk. A booked code can be looked up and cancelled.

import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, params } from './util.js';

register({
  title: ['预约办事', 'Book an appointment'],
  tab_book: ['我要预约', 'Book'],
  tab_manage: ['查询 / 取消预约', 'Find / cancel'],
  step_service: ['选择事项', 'Choose a service'],
  step_day: ['选择日期', 'Choose a day'],
  step_slot: ['选择时段', 'Choose a time'],
  step_id: ['预约人', 'Who books'],
  id_optional: ['身份证号码（须凭此证签到）', 'ID number (check in with this card)'],
  phone_placeholder: ['或手机号码', 'or a mobile number'],
  id_or_phone: ['身份证号码或手机号码须填一项：每人可预约的次数有限。', 'An ID number or a mobile number is needed: each person may book a few times only.'],
  need_id_or_phone: ['请填写身份证号码或手机号码', 'Enter an ID number or a mobile number'],
  bad_phone: ['手机号码须为 11 位', 'a mobile number has 11 digits'],
  remind: ['前一天短信提醒我（须填手机号码）', 'Text me a reminder the day before (needs the mobile number)'],
  remind_needs_phone: ['短信提醒须填写手机号码', 'A reminder needs a mobile number'],
  book: ['提交预约', 'Book'],
  free_n: ['余 {n}', '{n} free'],
  full: ['已约满', 'full'],
  past: ['已过', 'past'],
  no_slots: ['当日不可预约', 'No appointments that day'],
  pick_slot: ['请选择一个时段', 'Pick a time'],
  your_code: ['您的预约码', 'Your appointment code'],
  checkin: ['请于 {from}–{until} 到自助取号机签到', 'Check in at a kiosk between {from} and {until}'],
  checkin_help: ['在自助取号机选择“预约签到”，输入预约码或扫描二维码即可取号。', 'At the kiosk choose "Appointment check-in" and enter the code or scan the QR.'],
  again: ['再预约一个', 'Book another'],
  code_placeholder: ['12 位预约码', '12-character code'],
  find: ['查询', 'Find'],
  cancel_appt: ['取消预约', 'Cancel appointment'],
  confirm_cancel: ['确定取消预约 {code}？', 'Cancel appointment {code}?'],
  st_booked: ['已预约', 'Booked'], st_cancelled: ['已取消', 'Cancelled'], st_checked_in: ['已签到取号', 'Checked in'],
  st_used: ['已签到取号', 'Checked in'], st_expired: ['已过期', 'Expired'],
  bad_id: ['身份证号码须为 18 位', 'an ID number has 18 characters'],
  when: ['{day} {slot}', '{day} {slot}'],
});

const hall = params.get('hall') || 'demo';
const MINE_KEY = `hallq.appointments.${hall}`;
const WEEK_ZH = '日一二三四五六';
const WEEK_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const state = { info: null, services: [], service: null, day: null, slot: null, slots: [], today: null, busy: false };
window.hallq = { state };

// -- days ---------------------------------------------------------------------------------------
function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const weekday = (iso) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const hhmm = (isoTime) => { const m = /T(\d\d):(\d\d)/.exec(isoTime || ''); return m ? `${m[1]}:${m[2]}` : isoTime; };
const dayText = (iso) => { const [, mo, d] = iso.split('-'); return lang === 'en' ? `${WEEK_EN[weekday(iso)]} ${Number(mo)}/${Number(d)}` : `${Number(mo)}月${Number(d)}日 星期${WEEK_ZH[weekday(iso)]}`; };

function renderDays() {
  const days = Array.from({ length: 14 }, (_, i) => addDays(state.today, i));
  $('#days').replaceChildren(...days.map((iso) => {
    const [, mo, d] = iso.split('-');
    return el('button', { type: 'button', class: iso === state.day ? 'on' : '', dataset: { day: iso },
                          onclick: () => chooseDay(iso) },
      el('small', {}, lang === 'en' ? WEEK_EN[weekday(iso)] : `周${WEEK_ZH[weekday(iso)]}`),
      el('b', {}, `${Number(mo)}/${Number(d)}`));
  }));
}

async function chooseDay(iso) {
  state.day = iso;
  state.slot = null;
  renderDays();
  await loadSlots();
}

async function loadSlots() {
  $('#slots').replaceChildren();
  $('#slots-note').textContent = '';
  if (!state.service || !state.day) return updateBook();
  try {
    state.slots = await api(`/api/halls/${hall}/services/${state.service}/slots?day=${state.day}`);
  } catch (e) {
    state.slots = [];
    $('#slots-note').textContent = errorText(e);
  }
  renderSlots();
}

function renderSlots() {
  $('#slots').replaceChildren(...state.slots.map((s) => el('button', {
    type: 'button', class: s.slot === state.slot ? 'on' : '', dataset: { slot: s.slot }, disabled: s.past || s.free <= 0,
    onclick: () => { state.slot = s.slot; renderSlots(); },
  }, s.slot, el('small', {}, s.past ? t('past') : s.free <= 0 ? t('full') : t('free_n', { n: s.free })))));
  $('#slots-note').textContent = state.slots.length ? (state.slot ? '' : t('pick_slot')) : t('no_slots');
  updateBook();
}

function updateBook() {
  $('#book-btn').disabled = state.busy || !(state.service && state.day && state.slot);
}

// -- booking ------------------------------------------------------------------------------------
async function book() {
  if (state.busy) return;
  const id = $('#id-number').value.trim().toUpperCase();
  const phone = $('#phone').value.trim();
  if (id && !/^\d{17}[\dX]$/.test(id)) { $('#book-error').textContent = t('bad_id'); return; }
  if (phone && !/^1\d{10}$/.test(phone)) { $('#book-error').textContent = t('bad_phone'); return; }
  if (!id && !phone) { $('#book-error').textContent = t('need_id_or_phone'); return; }
  const remind = !$('#remind-row').hidden && $('#remind').checked;
  if (remind && !phone) { $('#book-error').textContent = t('remind_needs_phone'); return; }
  state.busy = true;
  updateBook();
  $('#book-error').textContent = '';
  try {
    const body = { service: state.service, day: state.day, slot: state.slot };
    if (id) body.id_number = id;
    if (phone && (!id || remind)) body.phone = phone;
    if (remind) body.remind = true;
    const appt = await api(`/api/halls/${hall}/appointments`, { method: 'POST', body });
    remember(appt.code);
    showDone(appt);
  } catch (e) {
    $('#book-error').textContent = errorText(e);
    loadSlots();
  } finally {
    state.busy = false;
    updateBook();
  }
}

function showDone(appt) {
  $('#done-code').textContent = appt.code;
  $('#done-qr').src = `/qr.svg?data=${encodeURIComponent(appt.code)}`;
  $('#done-what').textContent = lang === 'en' ? nameOf(svc(appt.service)) || appt.service_name : appt.service_name;
  $('#done-when').textContent = `${dayText(appt.day)} ${appt.slot} · ${t('checkin', { from: hhmm(appt.check_in_from), until: hhmm(appt.check_in_until) })}`;
  pane('done');
}

const svc = (code) => state.services.find((s) => s.code === code);

// -- my codes, lookup and cancel -------------------------------------------------------------------
function mine() { try { return JSON.parse(localStorage.getItem(MINE_KEY) || '[]'); } catch { return []; } }
function remember(code) { try { localStorage.setItem(MINE_KEY, JSON.stringify([code, ...mine().filter((c) => c !== code)].slice(0, 10))); } catch { /* ignore */ } }

function renderMine() {
  $('#mine').replaceChildren(...mine().map((code) => el('button', { type: 'button', onclick: () => { $('#manage-code').value = code; find(code); } }, code)));
}

async function find(code) {
  code = (code || '').trim().toUpperCase();
  if (!code) return;
  try {
    renderAppt(await api(`/api/halls/${hall}/appointments/${encodeURIComponent(code)}`));
  } catch (e) {
    $('#manage-result').replaceChildren(el('p', { class: 'error' }, errorText(e)));
  }
}

function renderAppt(a, error = '') {
  $('#manage-result').replaceChildren(el('div', { class: 'appt', dataset: { code: a.code, state: a.state } },
    el('div', { class: 'code' }, a.code),
    el('div', {}, lang === 'en' ? nameOf(svc(a.service)) || a.service_name : a.service_name),
    el('div', {}, `${dayText(a.day)} ${a.slot}`),
    el('div', { class: 'st' }, t(`st_${a.state}`)),
    a.state === 'booked' ? el('div', { class: 'muted small' }, t('checkin', { from: hhmm(a.check_in_from), until: hhmm(a.check_in_until) })) : null,
    a.state === 'booked' ? el('button', { class: 'btn bad', type: 'button', id: 'cancel-btn', onclick: () => cancel(a) }, t('cancel_appt')) : null,
    error ? el('p', { class: 'error' }, error) : null));
}

async function cancel(a) {
  if (!confirm(t('confirm_cancel', { code: a.code }))) return;
  try {
    renderAppt(await api(`/api/halls/${hall}/appointments/${a.code}/cancel`, { method: 'POST' }));
  } catch (e) {
    renderAppt(a, errorText(e));
  }
}

// -- panes and start -------------------------------------------------------------------------------
function pane(which) {
  $('#pane-book').hidden = which !== 'book';
  $('#pane-manage').hidden = which !== 'manage';
  $('#pane-done').hidden = which !== 'done';
  $('#tab-book').classList.toggle('on', which !== 'manage');
  $('#tab-manage').classList.toggle('on', which === 'manage');
  if (which === 'manage') renderMine();
}

function renderServices() {
  $('#service').replaceChildren(...state.services.map((s) => el('option', { value: s.code, selected: s.code === state.service }, `${s.prefix} · ${nameOf(s)}`)));
  const s = svc(state.service);
  $('#service-info').textContent = s ? [s.area, s.hours_today].filter(Boolean).join(' · ') : '';
}

async function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', () => { renderServices(); renderDays(); renderSlots(); });
  $('#tab-book').addEventListener('click', () => pane('book'));
  $('#tab-manage').addEventListener('click', () => pane('manage'));
  $('#book-btn').addEventListener('click', book);
  $('#again-btn').addEventListener('click', () => { state.slot = null; pane('book'); loadSlots(); });
  $('#manage-form').addEventListener('submit', (e) => { e.preventDefault(); find($('#manage-code').value); });
  $('#service').addEventListener('change', () => { state.service = $('#service').value; state.slot = null; renderServices(); loadSlots(); });
  state.info = await api(`/api/halls/${hall}`);
  $('#remind-row').hidden = !state.info.sms; // where the hall sends text messages
  $('#hall-name').textContent = nameOf(state.info);
  state.today = (state.info.now || new Date().toISOString()).slice(0, 10);
  state.services = (await api(`/api/halls/${hall}/services`)).filter((s) => s.appointments);
  const wanted = params.get('service');
  state.service = state.services.some((s) => s.code === wanted) ? wanted : (state.services[0] || {}).code;
  renderServices();
  state.day = state.today;
  renderDays();
  await loadSlots();
}

main();
