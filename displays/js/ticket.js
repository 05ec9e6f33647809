// The citizen's ticket page at /t/{token} (the status_url on the ticket's QR code).
// Number, matters, people ahead and estimated wait, live; when called, "请到 5 号窗口"; after
// each finished matter, the rating buttons of the hall's scale (一事一评; five levels by default, 国办发
// 〔2019〕51号), and for a 差评 its reason before it is sent; while it waits, text messages to a phone
// number (where the hall sends them), which comes back masked. While it waits: 暂离 (don't call me
// for the next M minutes, back with one tap) and 我不办了 (cancel); a place taken from outside says
// by when to check in at the hall.

import { connectTicket, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, fmtEta, HallClock, params } from './util.js';
import { levelOf, levelText, reasonForm } from './ratings.js';

register({
  your_number: ['您的排队号', 'Your number'],
  matters: ['办理事项', 'Your matters'],
  updated: ['更新于', 'Updated'],
  ahead: ['前面还有 {n} 人', '{n} ahead of you'],
  next_you: ['下一位就是您，请留意叫号', 'You are next, please listen for your number'],
  eta: ['预计等候 {eta}', 'Estimated wait {eta}'],
  go_window: ['请到 <b>{n}</b> 号窗口', 'Please go to window <b>{n}</b>'],
  serving_at: ['正在 {n} 号窗口办理', 'Being served at window {n}'],
  done_at: ['办理窗口：{n} 号', 'Window {n}'],
  where: ['请在 {area} 附近等候', 'Please wait near {area}'],
  all_done: ['全部事项已办结，感谢您的耐心', 'All done, thank you for your patience'],
  held_msg: ['暂离中：请在 {t} 前回到 <b>{n}</b> 号窗口', 'Stepped away: please be back at window <b>{n}</b> by {t}'],
  no_show_msg: ['您已过号，请到导服台重新激活', 'You missed your call; ask at the guide desk to re-activate'],
  cancelled_msg: ['此号已取消', 'This ticket was cancelled'],
  expired_msg: ['此号已过期，请重新取号', 'This ticket has expired; please take a new one'],
  not_found: ['没有找到这张排队票', 'This ticket was not found'],
  rate_q: ['请对本事项的办理进行评价', 'How was this matter handled?'],
  rated: ['已评价：{r}，谢谢！', 'Rated: {r}. Thank you!'],
  s_waiting: ['等候中', 'Waiting'], s_called: ['请前往窗口', 'Called'], s_serving: ['办理中', 'Being served'],
  s_done: ['已办结', 'Done'], s_no_show: ['已过号', 'Missed'], s_cancelled: ['已取消', 'Cancelled'],
  s_expired: ['已过期', 'Expired'], s_unresolved: ['未办成', 'Unresolved'], s_pending: ['待办', 'Next'],
  s_transferred: ['已转办', 'Transferred'], s_held: ['暂离', 'Stepped away'],
  sms_title: ['短信提醒', 'Text message reminders'],
  sms_hint: ['快到您、叫到您时发短信告诉您，关掉本页也能收到。号码只保存到今天结束。',
    'We text you when your turn is near and when you are called, even with this page closed. The number is kept until today ends.'],
  sms_input: ['11位手机号码', '11-digit mobile number'],
  sms_family: ['这是家人的号码', "A family member's number"],
  sms_submit: ['开启短信提醒', 'Text me'],
  sms_on: ['短信将发送至 {phone}', 'Text messages go to {phone}'],
  remote_msg: ['尚未签到：请在 {t} 前到达大厅，扫描大厅屏幕上的二维码或在自助机刷身份证签到，签到后才会叫号。',
    'Not checked in yet: come to the hall by {t} and scan the code on the hall screens, or place your ID card on a kiosk. You are called only after checking in.'],
  out_msg: ['暂离中：{t} 前不叫您的号，您的位置保留。', 'Stepped out: you will not be called before {t}; your place is kept.'],
  acts_title: ['暂时离开或不办了', 'Step out, or cancel'],
  step_out: ['暂离 {m} 分钟', 'Step out {m} min'],
  back: ['我回来了', "I'm back"],
  cancel: ['我不办了', 'Cancel my ticket'],
  cancel_q: ['确定取消这个号吗？', 'Cancel this ticket?'],
  cancel_yes: ['确定取消', 'Yes, cancel'],
  cancel_no: ['再想想', 'No'],
});

const token = (location.pathname.match(/^\/t\/([A-Za-z0-9_-]{8,64})$/) || [])[1] || params.get('token');
// poor: the 差评 waiting for its reason {matter, score, reason, text}
const state = { ticket: null, rating: false, scale: null, poor: null, sms: false, notify: null, stepChoices: [], busy: false };
window.hallq = { state };
const clock = new HallClock(); // the hall's time, whatever this phone's clock says

function render() {
  const tk = state.ticket;
  if (!tk) return;
  $('#hall-name').textContent = tk.hall_name || '';
  $('#t-number').textContent = tk.number;
  document.title = `${tk.number} · ${tk.hall_name || ''}`;
  const card = $('#t-card');
  const closed = ['done', 'cancelled', 'expired'].includes(tk.state);
  card.className = `t-card ${tk.state} ${closed ? 'closed' : ''}`;
  card.dataset.state = tk.state;
  $('#t-state').textContent = t(`s_${tk.state}`);

  const callBox = $('#t-call');
  callBox.hidden = true;
  if (tk.state === 'called' && tk.window) {
    callBox.innerHTML = t('go_window', { n: Number(tk.window) });
    callBox.hidden = false;
  } else if (tk.state === 'serving' && tk.window) {
    callBox.textContent = t('serving_at', { n: tk.window });
    callBox.hidden = false;
  } else if (tk.state === 'held' && tk.window) {
    const until = tk.held_until ? tk.held_until.slice(11, 16) : ''; // the hall's local time
    callBox.innerHTML = t('held_msg', { n: Number(tk.window), t: until });
    callBox.hidden = false;
  } else if (tk.state === 'no_show') {
    callBox.textContent = t('no_show_msg'); callBox.hidden = false;
  } else if (closed) {
    callBox.textContent = t(tk.state === 'done' ? 'all_done' : `${tk.state}_msg`); callBox.hidden = false;
  }

  const wait = $('#t-wait');
  wait.hidden = tk.state !== 'waiting';
  if (tk.state === 'waiting') {
    const n = tk.position ?? 0;
    $('#t-ahead').innerHTML = n > 0 ? t('ahead', { n: `<b>${Number(n)}</b>` }) : t('next_you');
    $('#t-ahead').dataset.position = String(n);
    $('#t-eta').textContent = t('eta', { eta: fmtEta(tk.eta_seconds, tk.eta_low_seconds, tk.eta_high_seconds) });
  }
  $('#t-where').textContent = tk.state === 'waiting' && tk.area ? t('where', { area: tk.area }) : '';
  const away = $('#t-away');
  const awayUntil = tk.back_at ? tk.back_at.slice(11, 16) : ''; // the hall's local time
  const out = tk.absent === 'out' && tk.back_at && Date.parse(tk.back_at) > clock.now();
  away.hidden = tk.state !== 'waiting' || !(tk.absent === 'remote' || out);
  away.dataset.absent = tk.absent || '';
  away.textContent = tk.absent === 'remote' ? t('remote_msg', { t: awayUntil }) : out ? t('out_msg', { t: awayUntil }) : '';
  renderActs(tk, out);

  $('#t-matters').replaceChildren(...tk.matters.map((m, i) => {
    const finished = m.state === 'done' || m.state === 'unresolved';
    return el('li', { class: i === tk.current && !closed ? 'cur' : '', dataset: { matter: i, state: m.state } },
      el('div', { class: 'm-row' }, el('span', { class: 'm-name' }, `${i + 1}. ${nameOf(m)}`),
        el('span', { class: `m-st ${m.state}` }, t(`s_${m.state}`))),
      m.window && finished ? el('div', { class: 'm-where muted' }, t('done_at', { n: m.window })) : null,
      m.state === 'unresolved' && m.reason ? el('div', { class: 'm-reason' }, m.reason) : null,
      finished && m.rating == null && state.scale ? rating(i) : null,
      finished && m.rating != null ? el('div', { class: 'rated' }, t('rated', { r: ratingName(m.rating) })) : null);
  }));
  renderSms(tk);
  // The phone's own clock: "updated at" is about this phone's view, whatever the hall's clock says.
  $('#t-updated').textContent = new Date().toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
}

function rating(matter) {
  const poor = state.poor && state.poor.matter === matter ? state.poor : null;
  if (poor) {
    return el('div', { class: 'rate-poor', dataset: { score: poor.score } },
      el('div', { class: 'rate-q' }, levelText(levelOf(state.scale, poor.score))),
      reasonForm(state.scale, poor, { busy: state.rating,
        onSend: (reason, text) => rate(matter, poor.score, reason, text),
        onBack: () => { state.poor = null; render(); } }));
  }
  return [el('div', { class: 'rate-q' }, t('rate_q')),
    el('div', { class: `rate n${state.scale.levels.length}` }, ...state.scale.levels.map((lv) => el('button', {
      type: 'button', dataset: { score: lv.score, level: lv.key }, disabled: state.rating,
      onclick: () => (lv.bad ? askReason(matter, lv.score) : rate(matter, lv.score)) }, levelText(lv))))];
}

function askReason(matter, score) {
  state.poor = { matter, score, reason: null, text: '' };
  render();
}

const ratingName = (score) => { const lv = state.scale && levelOf(state.scale, score); return lv ? levelText(lv) : String(score); };

async function rate(matter, score, reason, reasonText) {
  if (state.rating) return;
  state.rating = true;
  render();
  try {
    await api(`/api/tickets/${token}/rating`, { method: 'POST',
      body: { score, matter, ...(reason ? { reason, reason_text: reasonText || null } : {}) } });
    state.ticket.matters[matter].rating = score;
    state.poor = null;
  } catch (e) {
    showError(errorText(e));
  } finally {
    state.rating = false;
    render();
  }
}

function renderActs(tk, out) {
  const waiting = tk.state === 'waiting';
  $('#t-acts').hidden = !(waiting || tk.state === 'no_show');
  $('#t-step').hidden = !waiting || tk.absent === 'remote' || out;
  $('#t-step').replaceChildren(...state.stepChoices.map((m) => el('button', {
    type: 'button', dataset: { minutes: m }, disabled: state.busy,
    onclick: () => act('step-out', { minutes: m }) }, t('step_out', { m }))));
  $('#t-back').hidden = !out;
  $('#t-back').disabled = state.busy;
  $('#t-cancel').disabled = state.busy;
}

async function act(action, body) {
  if (state.busy) return;
  state.busy = true;
  render();
  try {
    update(await api(`/api/tickets/${token}/${action}`, { method: 'POST', body }));
  } catch (e) {
    showError(errorText(e));
  } finally {
    state.busy = false;
    $('#t-cancel-confirm').hidden = true;
    render();
  }
}

function renderSms(tk) {
  const open = ['waiting', 'called', 'no_show'].includes(tk.state);
  $('#t-sms').hidden = !state.sms || !(open || state.notify);
  const on = $('#t-sms-on');
  on.hidden = !state.notify;
  on.textContent = state.notify ? t('sms_on', { phone: state.notify.phone }) : '';
  $('#t-sms-form').hidden = Boolean(state.notify) || !open;
}

async function givePhone(ev) {
  ev.preventDefault();
  const error = $('#t-sms-error');
  error.hidden = true;
  try {
    state.notify = await api(`/api/tickets/${token}/notify`, {
      method: 'POST', body: { phone: $('#t-sms-phone').value, family: $('#t-sms-family').checked },
    });
    $('#t-sms-phone').value = '';
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
  render();
}

function showError(text) {
  const e = $('#t-error');
  e.textContent = text;
  e.hidden = !text;
}

function update(view) {
  const before = state.ticket;
  // An action's answer is the ticket alone; the page's fields of its hall stay.
  state.ticket = Object.assign({ hall: before && before.hall, hall_name: before && before.hall_name }, view);
  showError('');
  render();
  const justCalled = view.state === 'called' && before && (before.state !== 'called' || before.window !== view.window);
  // Browsers allow vibration only after the person touched the page.
  const touched = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  if (justCalled && touched && navigator.vibrate) navigator.vibrate([300, 150, 300]);
}

async function main() {
  applyI18n();
  mountLangSwitch($('#lang'));
  document.addEventListener('langchange', render);
  if (!token) { showError(t('not_found')); return; }
  $('#t-sms-form').addEventListener('submit', givePhone);
  $('#t-back').addEventListener('click', () => act('back'));
  $('#t-cancel').addEventListener('click', () => { $('#t-cancel-confirm').hidden = false; });
  $('#t-cancel-no').addEventListener('click', () => { $('#t-cancel-confirm').hidden = true; });
  $('#t-cancel-yes').addEventListener('click', () => act('cancel'));
  try {
    const view = await api(`/api/tickets/${token}`);
    state.notify = view.notify;
    const hallInfo = await api(`/api/halls/${encodeURIComponent(view.hall)}`);
    clock.sync(hallInfo.now);
    state.scale = hallInfo.rating;
    state.sms = Boolean(hallInfo.sms);
    state.stepChoices = (hallInfo.phone && hallInfo.phone.step_out_minutes) || [];
    update(view);
  } catch (e) {
    showError(e.status === 404 ? t('not_found') : errorText(e));
    if (e.status === 404) return;
  }
  // A step-out's end changes the page without an event: look again now and then.
  setInterval(render, 20000);
  const live = connectTicket({ token, onTicket: update });
  window.hallq.live = live;
  mountLiveBanner(live);
}

main();
