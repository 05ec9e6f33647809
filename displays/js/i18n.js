// Chinese first, English on request: ?lang=en, or the switch (remembered in localStorage).
//
//   import { t, register, applyI18n, nameOf, lang, setLang, mountLangSwitch } from '/js/i18n.js';
//   register({ waiting: ['等候', 'Waiting'], ahead: ['前面还有 {n} 人', '{n} ahead of you'] });
//   t('ahead', { n: 3 })            -> "前面还有 3 人"
//   <span data-i18n="waiting"></span>, <input data-i18n-placeholder="...">  filled by applyI18n()
//   nameOf(service)                 -> service.name, or service.name_en in English
//   document 'langchange' event after setLang()

const STORE_KEY = 'hallq.lang';
const strings = {};

function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'en' || q === 'zh') return q;
  try { return localStorage.getItem(STORE_KEY) === 'en' ? 'en' : 'zh'; } catch { return 'zh'; }
}

export let lang = initialLang();
document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';

export function register(dict) {
  Object.assign(strings, dict);
}

export function t(key, vars) {
  const entry = strings[key];
  let s = entry ? (lang === 'en' ? entry[1] : entry[0]) : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function nameOf(obj) {
  if (!obj) return '';
  return (lang === 'en' && obj.name_en) ? obj.name_en : (obj.name || '');
}

// An error from the API ({code, message, message_en}) in the page's language.
export function errorText(err) {
  if (err && err.message_en !== undefined) return lang === 'en' ? err.message_en : err.message;
  return String((err && err.message) || err);
}

export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(STORE_KEY, lang); } catch { /* private mode: this page only */ }
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  applyI18n();
  document.dispatchEvent(new CustomEvent('langchange', { detail: lang }));
}

// A button that switches between 中文 and English.
export function mountLangSwitch(button) {
  const label = () => { button.textContent = lang === 'en' ? '中文' : 'English'; };
  label();
  button.addEventListener('click', () => { setLang(lang === 'en' ? 'zh' : 'en'); label(); });
}

register({
  'live.down': ['连接中断，正在重新连接…', 'Connection lost, reconnecting…'],
  'live.refused': ['无法接收实时信息：{reason}', 'Live updates refused: {reason}'],
  'live.connecting': ['正在连接…', 'Connecting…'],
});
