// Staff sign-in, shared by the pages that have a #login-form (#username, #password, #login-btn,
// #login-error) and, where staff can sign out, a #logout button.
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
import { errorText, t } from './i18n.js';
import { $ } from './util.js';

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
  $('#logout').addEventListener('click', async () => {
    const ending = token();
    signedOut();
    // The page is signed out already; if this fails the token just lives until it expires.
    if (ending) { try { await api('/api/auth/logout', { method: 'POST', token: ending }); } catch { /* gone anyway */ } }
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
