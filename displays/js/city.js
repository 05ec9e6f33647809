// The city's view over its halls (市级电子监察): a supervisor signs in and sees every hall it
// oversees side by side, the open alerts of all of them, and downloads reports comparing halls.
//
// The figures arrive on WS /ws/city (/js/live.js connectCity) whenever anything happens in one of
// the halls; a hall's name opens that hall's own dashboard.

import { download } from './api.js';
import { applyI18n, errorText, lang, mountLangSwitch, nameOf, register, t } from './i18n.js';
import { connectCity, mountLiveBanner } from './live.js';
import { mountSignIn, remembered, showSignIn } from './signin.js';
import { $, el, fmtDuration, HallClock } from './util.js';

register({
  title: ['市级电子监察', 'City supervision'],
  logout: ['退出', 'Sign out'],
  login_title: ['监察人员登录', 'Supervisor sign-in'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Sign in'],
  not_supervisor: ['仅监察账号可查看各大厅汇总', 'Only a supervisor sees the halls together'],
  session_expired: ['登录已过期，请重新登录', 'Your session has expired; please sign in again'],
  halls: ['各大厅', 'Halls'],
  hall: ['大厅', 'Hall'],
  waiting: ['等候', 'Waiting'],
  longest_wait: ['最长等候', 'Longest wait'],
  windows_open: ['开放窗口', 'Windows open'],
  alerts_open: ['预警', 'Alerts'],
  issued: ['今日取号', 'Issued today'],
  served: ['今日办理', 'Served today'],
  avg_wait: ['平均等候', 'Mean wait'],
  satisfaction: ['满意率', 'Satisfaction'],
  last_event: ['最近记录', 'Last record'],
  shipped: ['自有服务器', 'own server'],
  updated: ['更新于 {t}', 'Updated {t}'],
  alerts: ['各大厅预警', 'Alerts in all halls'],
  no_alerts: ['暂无预警', 'No alerts'],
  reports: ['跨大厅报表', 'Reports across halls'],
  day_report: ['日报', 'Day'],
  week_report: ['周报', 'Week'],
  month_report: ['月报', 'Month'],
  downloading: ['正在生成…', 'Preparing…'],
  't.halls': ['大厅', 'Halls'],
  't.waiting': ['等候中', 'Waiting'],
  't.served': ['今日办理', 'Served today'],
  't.alerts': ['预警', 'Alerts'],
  't.critical': ['严重预警', 'Critical alerts'],
});

const saved = remembered('hallq.city');
const clock = new HallClock();
const state = { session: null, view: null, live: null };

const minutes = (s) => (s === null || s === undefined ? '—' : fmtDuration(s));
const pct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

function show(view) {
  $('#view-login').hidden = view !== 'login';
  $('#view-main').hidden = view !== 'main';
  $('#logout').hidden = view !== 'main';
  document.body.dataset.view = view;
}

function signedIn(res) {
  state.session = { token: res.token, username: res.username, name: res.name, role: res.role };
  saved.save(state.session);
  start();
}

function signedOut(message = '') {
  state.session = null;
  saved.save(null);
  showSignIn(state, show, message);
}

function start() {
  $('#who').textContent = state.session.name || state.session.username;
  show('main');
  if (state.live) state.live.close();
  state.live = connectCity({
    token: state.session.token,
    onCity(view) {
      clock.sync(view.now);
      state.view = view;
      render();
    },
    onStatus(status, info) {
      $('#live-dot').dataset.status = status;
      if (status === 'refused' && info && ['unauthorized', 'not_supervisor', '4401', '4403'].includes(info.code)) {
        signedOut(info.code === 'not_supervisor' ? t('not_supervisor') : t('session_expired'));
      }
    },
  });
  mountLiveBanner(state.live);
}

function tile(key, value, cls = '') {
  return el('div', { class: `tile ${cls}`, dataset: { tile: key } },
    el('div', { class: 'tile-v num' }, value), el('div', { class: 'tile-k' }, t(`t.${key}`)));
}

function render() {
  const v = state.view;
  if (!v) return;
  const sum = (k) => v.halls.reduce((n, h) => n + (h[k] || 0), 0);
  const critical = sum('alerts_critical');
  $('#tiles').replaceChildren(
    tile('halls', v.halls.length),
    tile('waiting', sum('waiting')),
    tile('served', sum('served')),
    tile('alerts', sum('alerts_open'), sum('alerts_open') ? 'bad' : ''),
    tile('critical', critical, critical ? 'bad' : ''),
  );
  $('#updated').textContent = t('updated', { t: clock.hhmmss(Date.parse(v.now)) });
  $('#halls tbody').replaceChildren(...v.halls.map((h) => el('tr', { dataset: { hall: h.hall } },
    el('td', {},
      el('a', { href: `/dashboard.html?hall=${encodeURIComponent(h.hall)}`, target: '_blank', rel: 'noopener' }, nameOf(h)),
      h.shipped ? el('span', { class: 'chip shipped' }, t('shipped')) : null),
    el('td', { class: 'n num', dataset: { k: 'waiting' } }, h.waiting),
    el('td', { class: 'n num' }, minutes(h.longest_wait_s)),
    el('td', { class: 'n num', dataset: { k: 'windows_open' } }, h.windows_open),
    el('td', { class: `n num${h.alerts_open ? ' bad' : ''}`, dataset: { k: 'alerts_open' } }, h.alerts_open),
    el('td', { class: 'n num', dataset: { k: 'issued' } }, h.issued),
    el('td', { class: 'n num', dataset: { k: 'served' } }, h.served),
    el('td', { class: 'n num' }, minutes(h.wait_avg_s)),
    el('td', { class: 'n num' }, pct(h.satisfaction)),
    el('td', { class: 'num' }, h.last_event ? clock.hhmmss(Date.parse(h.last_event)) : '—'))));
  $('#alert-count').textContent = v.alerts.length;
  $('#alert-count').classList.toggle('hot', v.alerts.length > 0);
  $('#alerts-empty').hidden = v.alerts.length > 0;
  $('#alerts').replaceChildren(...v.alerts.slice(0, 200).map((a) => el('li',
    { class: `alert lv-${a.level} active`, dataset: { hall: a.hall, kind: a.kind } },
    el('div', { class: 'alert-head' },
      el('span', { class: 'hall' }, a.hall_name),
      el('span', { class: 'alert-time num' }, clock.hhmmss(Date.parse(a.ts)))),
    el('div', { class: 'alert-msg' }, lang === 'en' ? a.message_en : a.message))));
}

async function downloadReport(e) {
  e.preventDefault();
  const format = e.submitter ? e.submitter.value : 'csv';
  const day = $('#report-day').value;
  $('#report-msg').textContent = t('downloading');
  try {
    $('#report-msg').textContent = await download(
      `/api/city/reports/${$('#report-period').value}?format=${format}${day ? `&day=${day}` : ''}`, state.session.token);
  } catch (err) {
    if (err.status === 401) signedOut(t('session_expired'));
    else $('#report-msg').textContent = errorText(err);
  }
}

applyI18n();
mountLangSwitch($('#lang'));
document.addEventListener('langchange', render);
mountSignIn({ roles: ['supervisor', 'admin'], refused: 'not_supervisor', signedIn,
              token: () => state.session && state.session.token, signedOut });
$('#report-form').addEventListener('submit', downloadReport);
state.session = saved.load();
if (state.session) start(); else showSignIn(state, show);
