// The citizen's ticket page at /t/{token} (the status_url on the ticket's QR code).
// Number, matters, people ahead and estimated wait, live; when called, "请到 5 号窗口"; after
// each finished matter, the rating buttons of the hall's scale (一事一评; five levels by default, 国办发
// 〔2019〕51号), and for a 差评 its reason before it is sent; while it waits, text messages to a phone
// number (where the hall sends them), which comes back masked.

import { connectTicket, mountLiveBanner } from './live.js';
import { api } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { $, el, fmtEta, params } from './util.js';
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
});

const token = (location.pathname.match(/^\/t\/([A-Za-z0-9_-]{8,64})$/) || [])[1] || params.get('token');
// poor: the 差评 waiting for its reason {matter, score, reason, text}
const state = { ticket: null, rating: false, scale: null, poor: null, sms: false, notify: null };
window.hallq = { state };

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
  state.ticket = view;
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
  try {
    const view = await api(`/api/tickets/${token}`);
    state.notify = view.notify;
    const hallInfo = await api(`/api/halls/${encodeURIComponent(view.hall)}`);
    state.scale = hallInfo.rating;
    state.sms = Boolean(hallInfo.sms);
    update(view);
  } catch (e) {
    showError(e.status === 404 ? t('not_found') : errorText(e));
    if (e.status === 404) return;
  }
  const live = connectTicket({ token, onTicket: update });
  window.hallq.live = live;
  mountLiveBanner(live);
}

main();
