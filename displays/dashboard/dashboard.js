// The supervision dashboard (电子监察): a manager signs in, sees the hall as it is, gets alerts the
// moment the server raises them and acknowledges them, and downloads reports.
//
// Figures come from GET /api/halls/{hall}/supervision; the hall's event stream (/js/live.js) says
// when to fetch them again, and alert events are shown as they arrive, before any fetch.

import { api, download } from '/js/api.js';
import { t, register, applyI18n, errorText, mountLangSwitch, nameOf, lang } from '/js/i18n.js';
import { connectHall, mountLiveBanner } from '/js/live.js';
import { $, el, params, HallClock, fmtDuration, fmtEta } from '/js/util.js';
import { authorized, mountSignIn, remembered, showSignIn } from '/js/signin.js';
import { barChart } from './charts.js';
import { EVENT } from '/js/events.js';

register({
  title: ['电子监察', 'Supervision'],
  logout: ['退出', 'Sign out'],
  login_title: ['管理人员登录', 'Manager sign-in'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Sign in'],
  not_manager: ['仅大厅管理人员或监察人员可查看电子监察', 'Only hall managers and supervisors may open the supervision dashboard'],
  session_expired: ['登录已过期，请重新登录', 'Your session has expired; please sign in again'],
  alerts: ['预警', 'Alerts'],
  show_all: ['显示已确认', 'Show acknowledged'],
  no_alerts: ['暂无预警', 'No alerts'],
  ack: ['确认', 'Acknowledge'],
  acked: ['已确认', 'Acknowledged'],
  cleared: ['已解除', 'Cleared'],
  active: ['进行中', 'Active'],
  by_hour: ['分时段', 'By hour'],
  arrivals_by_hour: ['各时段取号人数', 'Tickets issued per hour'],
  waits_by_hour: ['各时段等候时间（分钟）', 'Waits per hour (minutes)'],
  arrivals: ['取号', 'Issued'],
  called: ['叫号', 'Called'],
  avg_wait_min: ['平均等候', 'Mean wait'],
  max_wait_min: ['最长等候', 'Longest wait'],
  services: ['服务事项', 'Services'],
  service: ['事项', 'Service'],
  waiting: ['等候', 'Waiting'],
  longest_wait: ['最长等候', 'Longest wait'],
  served: ['今日办理', 'Served today'],
  avg_wait: ['平均等候', 'Mean wait'],
  avg_service: ['平均办理', 'Mean service'],
  no_show: ['过号', 'No-shows'],
  eta: ['预计等候', 'ETA'],
  windows_open: ['开放窗口', 'Windows open'],
  windows: ['窗口', 'Windows'],
  window: ['窗口', 'Window'],
  state: ['状态', 'State'],
  clerk: ['工作人员', 'Clerk'],
  current: ['当前号码', 'Current'],
  for: ['已用时', 'For'],
  satisfaction: ['满意率', 'Satisfaction'],
  utilisation: ['利用率', 'Utilisation'],
  reports: ['报表（日清周结月通报）', 'Reports (day, week, month)'],
  day_report: ['日报', 'Day'],
  week_report: ['周报', 'Week'],
  month_report: ['月报', 'Month'],
  downloading: ['正在生成…', 'Preparing…'],
  notice: ['大厅公告', 'Hall notice'],
  notice_live: ['临时公告', 'Live notice'],
  notice_configured: ['默认公告', 'Configured notice'],
  notice_none: ['（无公告）', '(no notice)'],
  notice_placeholder: ['输入新公告，发布后立即显示在叫号屏上', 'A new notice: the hall boards show it at once'],
  notice_publish: ['发布', 'Publish'],
  notice_clear: ['恢复默认', 'Back to configured'],
  notice_done: ['已发布', 'Published'],
  't.tickets': ['今日取号', 'Tickets today'],
  't.waiting': ['等候中', 'Waiting'],
  't.served': ['已办理', 'Served'],
  't.wait_avg': ['平均等候', 'Mean wait'],
  't.longest': ['最长等候', 'Longest wait now'],
  't.no_show': ['过号', 'No-shows'],
  't.unresolved': ['未办成', 'Unresolved'],
  't.satisfaction': ['满意率', 'Satisfaction'],
  't.windows': ['开放窗口', 'Windows open'],
  't.alerts': ['未确认预警', 'Unacknowledged alerts'],
  'st.open': ['开放', 'Open'],
  'st.paused': ['暂停', 'Paused'],
  'st.closed': ['关闭', 'Closed'],
  'tk.called': ['已叫号', 'called'],
  'tk.serving': ['办理中', 'serving'],
  'lv.critical': ['严重', 'critical'],
  'lv.warning': ['警告', 'warning'],
  'k.wait_long': ['等候超时', 'Long wait'],
  'k.queue_unstaffed': ['无窗口受理', 'No window'],
  'k.window_idle': ['窗口空闲', 'Idle window'],
  'k.service_long': ['办理超时', 'Long service'],
  'k.break_long': ['暂停超时', 'Long break'],
  'k.rating_low': ['差评', 'Low rating'],
  'k.followup_overdue': ['差评整改逾期', 'Follow-up overdue'],
  followups: ['差评整改回访', 'Poor ratings: follow-up'],
  fu_rule: ['每件差评须在 15 个工作日内核实整改并回访（国办发〔2019〕51号）', 'Each poor rating: verified, put right and called back within 15 working days'],
  fu_ticket: ['号码', 'Ticket'],
  fu_level: ['评价', 'Rating'],
  fu_reason: ['原因', 'Reason'],
  fu_due: ['办结期限', 'Due by'],
  fu_overdue: ['已逾期', 'overdue'],
  fu_assignee: ['承办人', 'Assignee'],
  fu_called: ['回访', 'Called back'],
  fu_result: ['核实整改结果', 'Result'],
  fu_save: ['保存', 'Save'],
  fu_none: ['没有待办的差评整改', 'No follow-up open'],
  ratings_export: ['好差评导出（CSV）', 'Ratings export (CSV)'],
  'k.device_trouble': ['设备故障', 'Device'],
  'k.storage_full': ['存储空间已满', 'Storage full'],
  'k.signin_locked': ['登录锁定', 'Sign-in locked'],
});

const hall = params.get('hall') || 'demo';
const saved = remembered(`hallq.dashboard.${hall}`);
const clock = new HallClock();
const state = { session: null, data: null, alerts: new Map(), live: null, showAll: false, fetching: false, again: false,
                notice: null, followups: [] };

// -- session ---------------------------------------------------------------------------------------
const call = authorized(() => state.session && state.session.token, () => expired());

function show(view) {
  $('#view-login').hidden = view !== 'login';
  $('#view-main').hidden = view !== 'main';
  $('#logout').hidden = view !== 'main';
  document.body.dataset.view = view;
}

const showLogin = (message = '') => showSignIn(state, show, message);

function expired() {
  if (state.session) signedOut(t('session_expired'));
}

function signedIn(res) {
  state.session = { token: res.token, username: res.username, name: res.name, role: res.role };
  saved.save(state.session);
  return start();
}

function signedOut(message = '') {
  state.session = null;
  saved.save(null);
  showLogin(message);
}

// -- data ----------------------------------------------------------------------------------------------
async function refresh() {
  if (!state.session) return;
  if (state.fetching) { state.again = true; return; }
  state.fetching = true;
  try {
    const data = await call(`/api/halls/${encodeURIComponent(hall)}/supervision`);
    clock.sync(data.now);
    if (state.data && state.data.day !== data.day) state.alerts.clear(); // a new business day
    state.data = data;
    for (const a of data.alerts) state.alerts.set(a.id, a);
    render();
  } catch (e) {
    if (e.status !== 401) console.error(e); // a network hiccup: the next event or the 30 s timer retries
  } finally {
    state.fetching = false;
    if (state.again) { state.again = false; setTimeout(refresh, 0); }
  }
}

// At most one fetch per second however many events arrive, the last one always followed.
let timer = null;
let lastFetch = 0;
function soon() {
  if (timer) return;
  const wait = Math.max(150, 1000 - (Date.now() - lastFetch));
  timer = setTimeout(() => { timer = null; lastFetch = Date.now(); refresh(); }, wait);
}

function onEvent(ev) {
  if (ev.type === EVENT.ALERT_RAISED) {
    const d = ev.data;
    state.alerts.set(ev.seq, { id: ev.seq, ts: ev.ts, key: d.key, kind: d.kind, level: d.level, message: d.message,
                               message_en: d.message_en, data: d, active: true, acknowledged: false, fresh: true });
    renderAlerts();
  } else if (ev.type === EVENT.FOLLOWUP_OPENED || ev.type === EVENT.FOLLOWUP_UPDATED) {
    loadFollowups();
  } else if (ev.type === EVENT.HALL_NOTICE) {
    state.notice = ev.data; // another manager's change too
    renderNotice();
    return;
  } else if (ev.type === EVENT.ALERT_CLEARED || ev.type === EVENT.ALERT_ACKNOWLEDGED) {
    const a = state.alerts.get(ev.data.alert);
    if (a) {
      if (ev.type === EVENT.ALERT_CLEARED) Object.assign(a, { active: false, cleared_at: ev.ts });
      else Object.assign(a, { acknowledged: true, acknowledged_at: ev.ts, acknowledged_by: ev.data.by, note: ev.data.note });
      renderAlerts();
    }
  }
  soon();
}

// -- 差评 follow-ups (核实, 整改, 回访) ---------------------------------------------------------------------
async function loadFollowups() {
  try {
    state.followups = await call(`/api/halls/${encodeURIComponent(hall)}/followups?only=active`);
    renderFollowups();
  } catch (e) {
    if (e.status !== 401) console.error(e);
  }
}

function renderFollowups() {
  const rows = state.followups;
  $('#fu-count').textContent = rows.length;
  $('#fu-count').classList.toggle('hot', rows.some((f) => f.overdue));
  $('#followups-empty').hidden = rows.length > 0;
  $('#followups tbody').replaceChildren(...rows.map((f) => {
    const assignee = el('input', { class: 'field fu-assignee', maxlength: 64, 'aria-label': t('fu_assignee') });
    assignee.value = f.assignee || '';
    const called = el('input', { type: 'checkbox', class: 'fu-called', 'aria-label': t('fu_called'),
      checked: !!f.called_back, disabled: !!f.called_back });
    const result = el('input', { class: 'field fu-result', maxlength: 1000, 'aria-label': t('fu_result') });
    result.value = f.result || '';
    const msg = el('div', { class: 'fu-msg error' });
    const save = el('button', { class: 'btn fu-save', type: 'button', onclick: () => saveFollowup(f, { assignee, called, result }, msg) }, t('fu_save'));
    return el('tr', { dataset: { id: f.id, overdue: String(f.overdue) }, class: f.overdue ? 'overdue' : '' },
      el('td', { class: 'num' }, f.number),
      el('td', {}, `${f.window ?? '—'} · ${f.clerk || '—'}`),
      el('td', { class: 'bad' }, lang === 'en' ? f.level_name_en : f.level_name),
      el('td', { class: 'fu-why' }, (lang === 'en' ? f.reason_name_en : f.reason_name) || f.reason || '', f.reason_text ? el('div', { class: 'muted' }, f.reason_text) : null),
      el('td', { class: 'num' }, f.due, f.overdue ? el('span', { class: 'chip bad' }, t('fu_overdue')) : null),
      el('td', {}, assignee),
      el('td', { class: 'fu-call' }, called, f.called_back ? el('div', { class: 'muted num' }, f.called_back.slice(5, 16).replace('T', ' ')) : null),
      el('td', {}, result, msg),
      el('td', {}, save));
  }));
}

async function saveFollowup(f, inputs, msg) {
  const body = {};
  const assignee = inputs.assignee.value.trim();
  const result = inputs.result.value.trim();
  if (assignee && assignee !== (f.assignee || '')) body.assignee = assignee;
  if (inputs.called.checked && !f.called_back) body.called_back = true;
  if (result && result !== (f.result || '')) body.result = result;
  try {
    await call(`/api/halls/${encodeURIComponent(hall)}/followups/${f.id}`, { method: 'POST', body });
    await loadFollowups();
  } catch (e) {
    msg.textContent = errorText(e);
  }
}

// -- the hall's notice ----------------------------------------------------------------------------------
function renderNotice() {
  const n = state.notice;
  if (!n) return;
  $('#notice-now').textContent = n.notice || t('notice_none');
  const source = $('#notice-source');
  source.textContent = t(n.live ? 'notice_live' : 'notice_configured');
  source.className = `chip ${n.live ? 'live' : 'configured'}`;
}

async function publishNotice(text) {
  $('#notice-msg').textContent = '';
  try {
    state.notice = await call(`/api/halls/${encodeURIComponent(hall)}/notice`, { method: 'PUT', body: { text } });
    renderNotice();
    $('#notice-text').value = '';
    $('#notice-msg').textContent = t('notice_done');
  } catch (e) {
    $('#notice-msg').textContent = errorText(e);
  }
}

function startLive(since) {
  if (state.live) state.live.close();
  state.live = connectHall({
    hall, token: state.session.token, since,
    onEvent,
    onSnapshot: () => soon(),
    onStatus: (status, info) => {
      $('#live-dot').dataset.status = status;
      if (status === 'refused' && info && (info.code === 'unauthorized' || info.code === '4401')) expired();
    },
  });
  mountLiveBanner(state.live);
}

async function start() {
  $('#who').textContent = state.session.name || state.session.username;
  show('main');
  await refresh();
  if (!state.data) return;
  $('#hall-name').textContent = state.data.name;
  $('#report-day').value = state.data.day;
  try {
    state.notice = await call(`/api/halls/${encodeURIComponent(hall)}/notice`);
    renderNotice();
  } catch (e) {
    if (e.status !== 401) console.error(e);
  }
  await loadFollowups();
  startLive(state.data.seq);
}

// -- rendering -------------------------------------------------------------------------------------------
const minutes = (s) => (s === null || s === undefined ? '—' : fmtDuration(s));
const pct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
const since = (iso) => (iso ? Math.max(0, (clock.now() - Date.parse(iso)) / 1000) : null);

function tile(key, value, cls = '') {
  return el('div', { class: `tile ${cls}`, dataset: { tile: key } },
    el('div', { class: 'tile-v num' }, value), el('div', { class: 'tile-k' }, t(`t.${key}`)));
}

function render() {
  const d = state.data;
  if (!d) return;
  const x = d.totals;
  $('#tiles').replaceChildren(
    tile('tickets', x.tickets),
    tile('waiting', x.waiting),
    tile('served', x.served),
    tile('wait_avg', minutes(x.wait_avg_s)),
    tile('longest', el('span', { dataset: { since: oldestWaiting(d) || '' } }, minutes(x.longest_wait_s)),
         x.longest_wait_s > d.thresholds.wait_minutes * 60 ? 'bad' : ''),
    tile('no_show', x.no_show),
    tile('unresolved', x.unresolved),
    tile('satisfaction', pct(x.satisfaction)),
    tile('windows', `${x.windows_open}/${d.windows.length}`),
    tile('alerts', x.alerts_unacknowledged, x.alerts_unacknowledged ? 'bad' : ''),
  );
  renderServices(d);
  renderWindows(d);
  renderCharts(d);
  renderAlerts();
}

function oldestWaiting(d) {
  let best = null;
  for (const s of d.services) if (s.oldest_queued_at && (!best || Date.parse(s.oldest_queued_at) < Date.parse(best))) best = s.oldest_queued_at;
  return best;
}

function renderServices(d) {
  const rows = d.services.filter((s) => s.waiting || s.issued || s.windows_open || s.served);
  const limit = d.thresholds.wait_minutes * 60;
  $('#services tbody').replaceChildren(...rows.map((s) => el('tr', { dataset: { service: s.code } },
    el('td', {}, el('span', { class: 'prefix' }, s.prefix), nameOf(s)),
    el('td', { class: 'n num' + (s.waiting && !s.windows_open ? ' bad' : '') }, s.waiting),
    el('td', { class: 'n num' + (s.longest_wait_s > limit ? ' bad' : ''), dataset: { since: s.oldest_queued_at || '' } },
       minutes(s.longest_wait_s)),
    el('td', { class: 'n num' }, s.served),
    el('td', { class: 'n num' }, minutes(s.wait_avg_s)),
    el('td', { class: 'n num' }, minutes(s.service_avg_s)),
    el('td', { class: 'n num' }, s.no_show),
    el('td', { class: 'n num' }, s.waiting ? fmtEta(s.eta_seconds) : '—'),
    el('td', { class: 'n num' }, s.windows_open),
  )));
}

function renderWindows(d) {
  const rows = d.windows.filter((w) => w.state !== 'closed' || w.served);
  $('#windows tbody').replaceChildren(...rows.map((w) => el('tr', { dataset: { window: w.number, state: w.state } },
    el('td', { class: 'num' }, `${w.number}`),
    el('td', {}, el('span', { class: `chip st-${w.state}` }, t(`st.${w.state}`)),
       w.state === 'paused' && w.pause_reason ? el('span', { class: 'muted' }, ` ${w.pause_reason}`) : null),
    el('td', {}, w.clerk ? `${w.clerk}${w.staff_no ? ' · ' + w.staff_no : ''}` : '—'),
    el('td', { class: 'num' }, w.ticket ? `${w.ticket} ${t(`tk.${w.ticket_state}`)}` : '—'),
    el('td', { class: 'n num', dataset: { since: w.ticket_since || (w.state === 'paused' ? w.since : '') || '' } },
       w.ticket_since ? minutes(since(w.ticket_since)) : (w.state === 'paused' ? minutes(since(w.since)) : '—')),
    el('td', { class: 'n num' }, w.served),
    el('td', { class: 'n num' }, minutes(w.service_avg_s)),
    el('td', { class: 'n num' }, pct(w.satisfaction)),
    el('td', { class: 'n num' }, pct(w.utilisation)),
  )));
}

function renderCharts(d) {
  const hours = d.hours.length ? d.hours : [];
  const labels = hours.map((h) => String(h.hour).padStart(2, '0'));
  barChart($('#chart-arrivals'), {
    labels,
    bars: [{ name: t('arrivals'), color: '#0b5cad', values: hours.map((h) => h.issued) },
           { name: t('called'), color: '#8fb8e4', values: hours.map((h) => h.called) }],
    format: (v) => String(Math.round(v)),
    integer: true,
  });
  barChart($('#chart-waits'), {
    labels,
    bars: [{ name: t('avg_wait_min'), color: '#b35c00', values: hours.map((h) => (h.wait_avg_s === null ? null : h.wait_avg_s / 60)) }],
    line: { name: t('max_wait_min'), color: '#b3261e', values: hours.map((h) => (h.wait_max_s === null ? null : h.wait_max_s / 60)) },
    format: (v) => (v === 0 ? '0' : v >= 10 ? String(Math.round(v)) : v >= 1 ? v.toFixed(1) : v.toFixed(2)),
  });
}

function renderAlerts() {
  // Open and unacknowledged first, critical before warning, then the newest.
  const rank = (a) => (a.acknowledged ? 4 : 0) + (a.active ? 0 : 2) + (a.level === 'critical' ? 0 : 1);
  const all = [...state.alerts.values()].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
  const unacked = all.filter((a) => !a.acknowledged);
  $('#alert-count').textContent = unacked.length;
  $('#alert-count').classList.toggle('hot', unacked.length > 0);
  document.title = `${unacked.length ? `(${unacked.length}) ` : ''}${t('title')} · hallq`;
  const shown = state.showAll ? all : unacked;
  $('#alerts-empty').hidden = shown.length > 0;
  $('#alerts').replaceChildren(...shown.slice(0, 200).map((a) => {
    const li = el('li', { class: `alert lv-${a.level}${a.active ? ' active' : ' cleared'}${a.acknowledged ? ' acked' : ''}${a.fresh ? ' fresh' : ''}`,
                          dataset: { id: a.id, kind: a.kind, key: a.key } },
      el('div', { class: 'alert-head' },
        el('span', { class: 'alert-kind' }, t(`k.${a.kind}`)),
        el('span', { class: 'alert-time num' }, clock.hhmmss(Date.parse(a.ts))),
        el('span', { class: 'alert-state' }, a.acknowledged ? t('acked') : (a.active ? t('active') : t('cleared')))),
      el('div', { class: 'alert-msg' }, lang === 'en' ? a.message_en : a.message),
      a.acknowledged ? el('div', { class: 'alert-by muted' }, `${a.acknowledged_by || ''}${a.note ? '：' + a.note : ''}`)
        : el('button', { class: 'btn ack', type: 'button', onclick: () => acknowledge(a.id) }, t('ack')));
    a.fresh = false;
    return li;
  }));
}

async function acknowledge(id) {
  try {
    const view = await call(`/api/halls/${encodeURIComponent(hall)}/alerts/${id}/ack`, { method: 'POST', body: {} });
    state.alerts.set(view.id, view);
    renderAlerts();
  } catch (e) {
    console.error(e);
  }
}

// Every second: the durations shown grow without waiting for the next fetch.
function tick() {
  $('#clock').textContent = clock.hhmmss();
  for (const cell of document.querySelectorAll('[data-since]')) {
    const iso = cell.dataset.since;
    if (iso) cell.textContent = minutes(since(iso));
  }
}

// The first and last day of the period holding `day` (YYYY-MM-DD): weeks run Monday to Sunday.
function periodDays(period, day) {
  const d = new Date(`${day}T00:00:00Z`);
  const iso = (x) => x.toISOString().slice(0, 10);
  if (period === 'week') {
    const first = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000);
    return [iso(first), iso(new Date(first.getTime() + 6 * 86400000))];
  }
  if (period === 'month') return [iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))), iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)))];
  return [day, day];
}

async function downloadReport(e) {
  e.preventDefault();
  const format = e.submitter ? e.submitter.value : 'csv';
  const period = $('#report-period').value;
  const day = $('#report-day').value || (state.data && state.data.day);
  const base = `/api/halls/${encodeURIComponent(hall)}`;
  const [first, last] = periodDays(period, day);
  const url = format === 'ratings' ? `${base}/ratings/export?format=csv&first=${first}&last=${last}`
    : `${base}/reports/${period}?format=${format}${day ? `&day=${day}` : ''}`;
  $('#report-msg').textContent = t('downloading');
  try {
    $('#report-msg').textContent = await download(url, state.session.token);
  } catch (err) {
    if (err.status === 401) expired();
    $('#report-msg').textContent = errorText(err);
  }
}

// -- start ------------------------------------------------------------------------------------------------
applyI18n();
mountLangSwitch($('#lang'));
document.addEventListener('langchange', () => { render(); renderNotice(); renderFollowups(); });
mountSignIn({ roles: ['manager', 'admin', 'supervisor'], refused: 'not_manager', signedIn,
              token: () => state.session && state.session.token, signedOut });
$('#show-all').addEventListener('change', (e) => { state.showAll = e.target.checked; renderAlerts(); });
$('#report-form').addEventListener('submit', downloadReport);
$('#notice-form').addEventListener('submit', (e) => { e.preventDefault(); publishNotice($('#notice-text').value); });
$('#notice-clear').addEventListener('click', () => publishNotice(''));
setInterval(tick, 1000);
setInterval(() => { if (state.session && state.data) soon(); }, 30000);
window.addEventListener('resize', () => { if (state.data) renderCharts(state.data); });
// A supervisor opening one of its halls from the city's page is signed in already.
state.session = saved.load() || remembered('hallq.city').load();
if (state.session) start().catch(() => showLogin()); else showLogin();
