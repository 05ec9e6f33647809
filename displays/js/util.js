// Small helpers shared by the pages: query parameters, DOM building, the hall's clock, formats.

import { t, lang, register } from './i18n.js';

export const params = new URLSearchParams(location.search);

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// el('div', {class: 'x', onclick: fn, dataset: {a: 1}}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// A token given in the address's fragment (#token=…, which the browser never sends to the server,
// so no log holds it) is remembered for this page and hall, then removed from the address bar so it
// is not left on screen.
export function pageToken(kind, hall) {
  const key = `hallq.token.${kind}.${hall}`;
  const frag = new URLSearchParams(location.hash.slice(1));
  const given = frag.get('token');
  if (given) {
    try { localStorage.setItem(key, given); } catch { /* ignore */ }
    frag.delete('token');
    history.replaceState(null, '', `${location.pathname}${location.search}${frag.toString() ? '#' + frag : ''}`);
    return given;
  }
  try { return localStorage.getItem(key); } catch { return null; }
}

export function storeToken(kind, hall, token) {
  const key = `hallq.token.${kind}.${hall}`;
  try { token ? localStorage.setItem(key, token) : localStorage.removeItem(key); } catch { /* ignore */ }
}

// A display page without its token asks for one (the #setup form), keeps it and starts with it.
export function askToken(kind, hall, start) {
  $('#setup').hidden = false;
  $('#setup-form').onsubmit = (e) => {
    e.preventDefault();
    const value = $('#setup-token').value.trim();
    if (!value) return;
    storeToken(kind, hall, value);
    $('#setup').hidden = true;
    if (window.hallq.live) window.hallq.live.close();
    start(value);
  };
}

// The hall's clock: the server's time (it may run a demo clock) in the hall's UTC offset,
// whatever the time zone and clock of the browser.
export class HallClock {
  constructor() { this.skew = 0; this.offsetMin = 480; }

  sync(iso) {
    if (!iso) return;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) this.skew = ms - Date.now();
    const m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
    if (m) this.offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }

  now() { return Date.now() + this.skew; }

  // The hall's wall clock fields of a moment (ms since epoch, default now).
  parts(ms = this.now()) {
    const d = new Date(ms + this.offsetMin * 60000);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(),
             mi: d.getUTCMinutes(), s: d.getUTCSeconds(), wd: d.getUTCDay() };
  }

  hhmm(ms) { const p = this.parts(ms); return `${pad(p.h)}:${pad(p.mi)}`; }
  hhmmss(ms) { const p = this.parts(ms); return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`; }
  dateText(ms) {
    const p = this.parts(ms);
    if (lang === 'en') return `${WEEK_EN[p.wd]}, ${MONTH_EN[p.mo - 1]} ${p.d}, ${p.y}`;
    return `${p.y}年${p.mo}月${p.d}日 星期${WEEK_ZH[p.wd]}`;
  }
}

const WEEK_ZH = '日一二三四五六';
const WEEK_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const pad = (n) => String(n).padStart(2, '0');

register({
  'eta.none': ['—', '—'],
  'eta.now': ['即将办理', 'soon'],
  'eta.min': ['约 {n} 分钟', '~{n} min'],
  'eta.hour': ['约 {h} 小时 {m} 分', '~{h} h {m} min'],
  'eta.range': ['约 {a}–{b} 分钟', '{a}–{b} min'],
  'dur.sec': ['{n} 秒', '{n} s'],
  'dur.min': ['{n} 分', '{n} min'],
  'dur.hour': ['{h} 时 {m} 分', '{h} h {m} min'],
});

// With the estimate's p10-p90 range (the server's eta_low/high_seconds), a citizen reads how sure it is:
// "约 15–25 分钟". Where the range is narrow, or runs past two hours, the point estimate says enough.
export function fmtEta(seconds, low, high) {
  if (seconds === null || seconds === undefined) return t('eta.none');
  if (low !== undefined && low !== null && high !== undefined && high !== null) {
    const a = Math.round(low / 60), b = Math.round(high / 60);
    if (b - a >= 2 && b < 120 && high >= 60) return t('eta.range', { a, b });
  }
  if (seconds < 60) return t('eta.now');
  const min = Math.round(seconds / 60);
  if (min < 120) return t('eta.min', { n: min });
  return t('eta.hour', { h: Math.floor(min / 60), m: min % 60 });
}

export function fmtDuration(seconds) {
  seconds = Math.max(0, Math.round(seconds || 0));
  if (seconds < 60) return t('dur.sec', { n: seconds });
  const min = Math.floor(seconds / 60);
  if (min < 60) return t('dur.min', { n: min });
  return t('dur.hour', { h: Math.floor(min / 60), m: min % 60 });
}

// Runs fn at most once per `ms` (trailing call kept): refreshes after bursts of events.
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
