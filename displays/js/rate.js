// 评价器 page: a tablet at the window, facing the citizen (the no-hardware rating pad).
// URL: rate.html?hall=demo&window=5[&lang=en][#token=<rating device token>]
// It runs on a rating device token of its window (hallq device-token --kind rating --window 5),
// given once in the address's fragment or typed in. After the clerk finishes a matter at this
// window, the rating buttons of the hall's scale appear for that ticket (five levels by default, 国办发
// 〔2019〕51号; a 差评 then asks for its reason); the rating is stored against the matter, which records
// its window and clerk (一事一评). The pad never holds a ticket's token, and a clerk's
// sign-in cannot rate: the event's actor is this window's rating device.

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, params, pageToken, storeToken } from './util.js';
import { loadScale, levelText, reasonForm } from './ratings.js';
import { authorized } from './signin.js';
import { EVENT } from './events.js';

register({
  window_unit: ['号窗口', ''],
  clerk: ['工作人员', 'Clerk'],
  staff_no: ['工号', 'Staff no.'],
  login_title: ['评价器设置', 'Rating pad set-up'],
  login_help: ['请输入本窗口的评价器令牌（hallq device-token --kind rating --window 窗口号 生成），之后此屏幕面向办事群众',
               'Enter this window\'s rating device token (hallq device-token --kind rating --window N); then the screen faces the citizen'],
  device_token: ['评价器令牌', 'Rating device token'],
  save: ['保存', 'Save'],
  welcome: ['欢迎光临', 'Welcome'],
  idle_hint: ['办理完成后，请在此对我们的服务进行评价', 'After your matter is done, please rate our service here'],
  ask_for: ['请对', 'Please rate'],
  ask_tail: ['的办理进行评价', ''],
  thanks: ['感谢您的评价！', 'Thank you for your rating!'],
});

const hall = params.get('hall') || 'demo';
const number = Number(params.get('window')) || 1;
const ASK_SECONDS = 90;  // an unanswered question goes away
const THANKS_SECONDS = 5;
// pending: the matter asked about {number, matter}, with `poor` {score, reason, text} once a 差评 is pressed
const state = { token: null, pending: null, busy: false, timer: null, live: null, services: {}, scale: null };
window.hallq = { state };

const FACES = {
  very_satisfied: 'M7.5 13.5c1 3 2.8 4.2 4.5 4.2s3.5-1.2 4.5-4.2z',
  satisfied: 'M8 14c1 2 2.5 3 4 3s3-1 4-3',
  basically_satisfied: 'M8.5 15c1 1 2 1.4 3.5 1.4s2.5-.4 3.5-1.4',
  average: 'M8.5 15.5h7',
  dissatisfied: 'M8 17c1-2 2.5-3 4-3s3 1 4 3',
  very_dissatisfied: 'M7.5 18c1-3 2.8-4.2 4.5-4.2s3.5 1.2 4.5 4.2',
};
function face(key) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.innerHTML = `<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/>
    <circle cx="8.7" cy="9.5" r="1.3" fill="currentColor"/><circle cx="15.3" cy="9.5" r="1.3" fill="currentColor"/>
    <path d="${FACES[key]}" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>`;
  return svg;
}

function show(view) {
  $('#view-login').hidden = view !== 'login';
  $('#view-main').hidden = view !== 'main';
}

function screen(which) {
  for (const s of ['idle', 'ask', 'thanks']) $(`#r-${s}`).hidden = s !== which;
  document.body.dataset.screen = which;
}

function idle() {
  clearTimeout(state.timer);
  state.pending = null;
  screen('idle');
}

const call = authorized(() => state.token, () => signedOut());

function signedOut() {
  state.token = null;
  storeToken('rater', hall, null);
  if (state.live) { state.live.close(); state.live = null; }
  show('login');
}

// A matter was finished at this window: ask for its rating. (Rated already on the phone? The
// server answers already_rated, and the pad says thank you.)
async function ask(data) {
  const matter = state.services[data.service] || { name: data.service, name_en: data.service };
  state.pending = { number: data.number, matter: data.matter };
  $('#r-number').textContent = data.number;
  $('#r-matter').textContent = lang === 'en' ? `(${nameOf(matter)})` : `「${nameOf(matter)}」${t('ask_tail')}`;
  $('#r-error').textContent = '';
  renderButtons();
  screen('ask');
  clearTimeout(state.timer);
  state.timer = setTimeout(idle, ASK_SECONDS * 1000);
}

function renderButtons() {
  const box = $('#r-buttons');
  const p = state.pending;
  if (!state.scale || !p) { box.replaceChildren(); return; }
  if (p.poor) {
    box.className = 'r-buttons r-poor';
    box.replaceChildren(reasonForm(state.scale, p.poor, { busy: state.busy,
      onSend: (reason, text) => rate(p.poor.score, reason, text),
      onBack: () => { p.poor = null; renderButtons(); } }));
    return;
  }
  box.className = `r-buttons n${state.scale.levels.length}`;
  box.replaceChildren(...state.scale.levels.map((lv) => el('button', { type: 'button',
    dataset: { score: lv.score, level: lv.key }, disabled: state.busy,
    onclick: () => (lv.bad ? askReason(lv.score) : rate(lv.score)) }, face(lv.key), levelText(lv))));
}

function askReason(score) {
  state.pending.poor = { score, reason: null, text: '' };
  renderButtons();
  clearTimeout(state.timer);
  state.timer = setTimeout(idle, ASK_SECONDS * 1000);
}

async function rate(score, reason, reasonText) {
  const p = state.pending;
  if (!p || state.busy) return;
  state.busy = true;
  renderButtons();
  try {
    await call(`/api/halls/${hall}/windows/${number}/rating`, { method: 'POST',
      body: { number: p.number, score, matter: p.matter, ...(reason ? { reason, reason_text: reasonText || null } : {}) } });
    thanks();
  } catch (e) {
    if (e.code === 'already_rated') thanks();
    else $('#r-error').textContent = errorText(e);
  } finally {
    state.busy = false;
    renderButtons();
  }
}

function thanks() {
  state.pending = null;
  screen('thanks');
  clearTimeout(state.timer);
  state.timer = setTimeout(idle, THANKS_SECONDS * 1000);
}

function setClerk(w) {
  const open = w && w.state !== 'closed';
  $('#r-clerk').textContent = (open && w.clerk) || '—';
  $('#r-staff').textContent = (open && w.staff_no) || '—';
}

function onEvent(ev) {
  const d = ev.data || {};
  if (d.window !== number) return;
  if (ev.type === EVENT.WINDOW_STATE) setClerk({ state: d.state, clerk: d.clerk, staff_no: d.staff_no });
  if (ev.type === EVENT.TICKET_DONE && (d.result === 'done' || d.result === 'unresolved')) ask(d);
  if (ev.type === EVENT.TICKET_CALLED && state.pending && document.body.dataset.screen === 'ask' && d.number !== state.pending.number) {
    // The next citizen is at the counter: the last one has left without rating.
    idle();
  }
}

function start() {
  show('main');
  idle();
  if (state.live) state.live.close();
  state.live = connectHall({
    hall, token: state.token, topics: [EVENT.TICKET_DONE, EVENT.TICKET_CALLED, EVENT.WINDOW_STATE],
    onSnapshot(board) { setClerk(board.windows.find((w) => w.number === number)); },
    onEvent,
    onStatus(status, info) { if (status === 'refused' && info && info.code === 'unauthorized') signedOut(); },
  });
  window.hallq.live = state.live;
  mountLiveBanner(state.live);
}

async function loadServices() {
  try {
    for (const s of await api(`/api/halls/${hall}/services`)) state.services[s.code] = s;
  } catch { /* names fall back to codes */ }
}

async function loadRatingScale() {
  try {
    state.scale = await loadScale(hall);
    if (state.pending) renderButtons();
  } catch (e) {
    $('#r-error').textContent = errorText(e);
  }
}

function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', () => { if (state.pending) renderButtons(); });
  $('#r-window').textContent = number;
  // No sign-out: once set up, the pad faces the citizen.
  $('#setup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('#setup-token').value.trim();
    storeToken('rater', hall, state.token);
    start();
  });
  loadServices();
  loadRatingScale();
  state.token = pageToken('rater', hall);
  if (state.token) start(); else show('login');
}

main();
