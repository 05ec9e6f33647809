// 评价器 page: a tablet at the window, facing the citizen (the no-hardware rating pad).
// URL: rate.html?hall=demo&window=5[&token=<sign-in token>][&lang=en]
// The window's clerk signs in on it once (or the address carries a sign-in token). After the
// clerk finishes a matter at this window, the four rating buttons appear for that ticket; the
// rating is stored against the matter, which records its window and clerk (一事一评).

import { connectHall, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, params, pageToken, storeToken } from './util.js';
import { mountSignIn } from './signin.js';
import { RATINGS } from './ratings.js';

register({
  window_unit: ['号窗口', ''],
  clerk: ['工作人员', 'Clerk'],
  staff_no: ['工号', 'Staff no.'],
  login_title: ['评价器登录', 'Rating pad sign-in'],
  login_help: ['请本窗口工作人员登录一次，之后此屏幕面向办事群众', 'The clerk of this window signs in once; then the screen faces the citizen'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Sign in'],
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
const state = { token: null, pending: null, busy: false, timer: null, live: null };
window.hallq = { state };

const FACES = {
  4: 'M8 14c1 2 2.5 3 4 3s3-1 4-3',
  3: 'M8.5 15c1 1 2 1.4 3.5 1.4s2.5-.4 3.5-1.4',
  2: 'M8.5 15.5h7',
  1: 'M8 17c1-2 2.5-3 4-3s3 1 4 3',
};
function face(score) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.innerHTML = `<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/>
    <circle cx="8.7" cy="9.5" r="1.3" fill="currentColor"/><circle cx="15.3" cy="9.5" r="1.3" fill="currentColor"/>
    <path d="${FACES[score]}" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>`;
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

async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, token: state.token });
  } catch (e) {
    if (e.status === 401) signedOut();
    throw e;
  }
}

function signedOut() {
  state.token = null;
  storeToken('rater', hall, null);
  if (state.live) { state.live.close(); state.live = null; }
  show('login');
}

// A matter was finished at this window: ask for its rating.
async function ask(data) {
  let tk;
  try {
    tk = await call(`/api/halls/${hall}/tickets/${encodeURIComponent(data.number)}`);
  } catch { return; }
  const matter = tk.matters[data.matter];
  if (!matter || matter.rating != null) return; // rated already (on the phone, say)
  state.pending = { number: data.number, matter: data.matter, token: tk.token };
  $('#r-number').textContent = data.number;
  $('#r-matter').textContent = lang === 'en' ? `(${nameOf(matter)})` : `「${nameOf(matter)}」${t('ask_tail')}`;
  $('#r-error').textContent = '';
  renderButtons();
  screen('ask');
  clearTimeout(state.timer);
  state.timer = setTimeout(idle, ASK_SECONDS * 1000);
}

function renderButtons() {
  $('#r-buttons').replaceChildren(...RATINGS.map((r) => el('button', { type: 'button', dataset: { score: r.score },
    disabled: state.busy, onclick: () => rate(r.score) }, face(r.score), lang === 'en' ? r.en : r.zh)));
}

async function rate(score) {
  const p = state.pending;
  if (!p || state.busy) return;
  state.busy = true;
  renderButtons();
  try {
    await api(`/api/tickets/${p.token}/rating`, { method: 'POST', body: { score, matter: p.matter } });
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
  if (ev.type === 'window.state') setClerk({ state: d.state, clerk: d.clerk, staff_no: d.staff_no });
  if (ev.type === 'ticket.done' && (d.result === 'done' || d.result === 'unresolved')) ask(d);
  if (ev.type === 'ticket.called' && state.pending && document.body.dataset.screen === 'ask' && d.number !== state.pending.number) {
    // The next citizen is at the counter: the last one has left without rating.
    idle();
  }
}

function start() {
  show('main');
  idle();
  if (state.live) state.live.close();
  state.live = connectHall({
    hall, token: state.token, topics: ['ticket.done', 'ticket.called', 'window.state'],
    onSnapshot(board) { setClerk(board.windows.find((w) => w.number === number)); },
    onEvent,
    onStatus(status, info) { if (status === 'refused' && info && info.code === 'unauthorized') signedOut(); },
  });
  window.hallq.live = state.live;
  mountLiveBanner(state.live);
}

function signedIn(res) {
  state.token = res.token;
  storeToken('rater', hall, res.token);
  start();
}

function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', () => { if (state.pending) renderButtons(); });
  $('#r-window').textContent = number;
  // No sign-out: once signed in, the pad faces the citizen.
  mountSignIn({ signedIn });
  state.token = pageToken('rater', hall);
  if (state.token) start(); else show('login');
}

main();
