// Staff sign-in, shared by the pages that have a #login-form (#username, #password, #login-btn,
// #login-error) and, where staff can sign out, a #logout button; beside it, a 修改密码 button that
// lets whoever is signed in change their own password (shown with #logout, for a staff session).
//
//   mountSignIn({
//     roles: ['manager', 'admin'],  // who may use the page; left out: anyone who can sign in
//     refused: 'not_manager',       // i18n key of the message for any other role
//     signedIn: async (res) => {},  // keep the session ({token, username, name, staff_no, role}), go on
//     token: () => token,           // the session to end on the server at sign-out (none: nothing to end)
//     signedOut: () => {},          // forget the session and show the sign-in
//   });
//   const saved = remembered(`hallq.console.${hall}`);  saved.load() / saved.save(session or null)
//   const call = authorized(() => token, ended);         api() with the token; a 401 calls ended()
//   showSignIn(state, show, message);                   back to the sign-in view (state.live ends)

import { api } from './api.js';
import { applyI18n, errorText, register, t } from './i18n.js';
import { $, el } from './util.js';

register({
  change_password: ['修改密码', 'Change password'],
  password_current: ['当前密码', 'Current password'],
  password_new: ['新密码（至少 6 位）', 'New password (6 characters or more)'],
  password_again: ['再次输入新密码', 'New password again'],
  password_mismatch: ['两次输入的新密码不一致', 'The two new passwords differ'],
  password_changed: ['密码已修改；其他设备上的登录已退出', 'Password changed; your other sessions are signed out'],
  password_cancel: ['取消', 'Cancel'],
  password_save: ['保存', 'Save'],
});

export function mountSignIn({ roles, refused, signedIn, token, signedOut }) {
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = $('#login-btn');
    btn.disabled = true; // until the page is ready: a second press would sign in twice
    $('#login-error').textContent = '';
    try {
      const res = await api('/api/auth/login', { method: 'POST',
        body: { username: $('#username').value.trim(), password: $('#password').value } });
      if (roles && !roles.includes(res.role)) {
        api('/api/auth/logout', { method: 'POST', token: res.token }).catch(() => { /* it expires anyway */ });
        throw { message: t(refused), message_en: t(refused) };
      }
      $('#password').value = '';
      await signedIn(res);
    } catch (err) {
      $('#login-error').textContent = errorText(err);
    } finally {
      btn.disabled = false;
    }
  });
  if (!signedOut) return;
  mountPasswordChange(token);
  $('#logout').addEventListener('click', async () => {
    const ending = token();
    signedOut();
    // The page is signed out already; if this fails the token just lives until it expires.
    if (ending) { try { await api('/api/auth/logout', { method: 'POST', token: ending }); } catch { /* gone anyway */ } }
  });
}

// The button goes before #logout and shows when it does (each page decides when #logout shows); the
// dialog is built here so that no page repeats it.
function mountPasswordChange(token) {
  const logout = $('#logout');
  const field = (id, key, autocomplete, minlength) => [el('label', { class: 'lbl', for: id, 'data-i18n': key }),
    el('input', { id, class: 'field', type: 'password', required: true, maxlength: 200, minlength, autocomplete })];
  const error = el('p', { id: 'pw-error', class: 'error', role: 'alert' });
  const done = el('p', { id: 'pw-done', class: 'ok', role: 'status' });
  const form = el('form', { id: 'pw-form' },
    el('h2', { 'data-i18n': 'change_password' }),
    field('pw-current', 'password_current', 'current-password'),
    field('pw-new', 'password_new', 'new-password', 6),
    field('pw-again', 'password_again', 'new-password', 6),
    error,
    done,
    el('div', { class: 'actions' },
      el('button', { class: 'btn', type: 'button', 'data-i18n': 'password_cancel', onclick: () => dialog.close() }),
      el('button', { id: 'pw-save', class: 'btn primary', type: 'submit', 'data-i18n': 'password_save' })));
  const dialog = el('dialog', { id: 'dlg-password', class: 'dlg' }, form);
  const open = el('button', { id: 'change-password', class: 'btn', type: 'button', 'data-i18n': 'change_password',
    hidden: true, onclick: () => { form.reset(); error.textContent = done.textContent = ''; dialog.showModal(); } });
  logout.before(open);
  document.body.append(dialog);
  applyI18n(open.parentNode);
  applyI18n(dialog);
  // A tablet working on its device token has nobody's password to change.
  const follow = () => { open.hidden = logout.hidden || !token(); };
  follow();
  new MutationObserver(follow).observe(logout, { attributes: true, attributeFilter: ['hidden'] });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = done.textContent = '';
    const [current, next] = [$('#pw-current').value, $('#pw-new').value];
    if (next !== $('#pw-again').value) { error.textContent = t('password_mismatch'); return; }
    const save = $('#pw-save');
    save.disabled = true;
    try {
      await api('/api/auth/password', { method: 'POST', token: token(), body: { current, new: next } });
      form.reset();
      done.textContent = t('password_changed');
      setTimeout(() => dialog.close(), 2500);
    } catch (err) {
      error.textContent = errorText(err);
    } finally {
      save.disabled = false;
    }
  });
}

// api() with the page's token: a 401 (the session ended or the token was revoked elsewhere) calls
// `ended`, and the error still goes to the caller.
export function authorized(token, ended) {
  return async (path, opts = {}) => {
    try {
      return await api(path, { ...opts, token: token() });
    } catch (e) {
      if (e.status === 401) ended();
      throw e;
    }
  };
}

// Back to the sign-in view of a page whose `show(view)` switches views; its live connection
// (state.live) ends with the session, and `message` says why.
export function showSignIn(state, show, message = '') {
  if (state.live) { state.live.close(); state.live = null; }
  $('#who').textContent = '';
  $('#login-error').textContent = message;
  show('login');
  $('#username').focus();
}

// A session kept across reloads; without localStorage (private mode) it lasts this tab only.
export function remembered(key) {
  return {
    load() { try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch { return null; } },
    save(session) {
      try { session ? localStorage.setItem(key, JSON.stringify(session)) : localStorage.removeItem(key); } catch { /* this tab only */ }
    },
  };
}
