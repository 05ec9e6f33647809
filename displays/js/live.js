// The live connection every page uses: a hall's event stream, or one ticket's updates.
// It reconnects by itself (back-off with jitter), resumes from the last seq it saw, notices a
// silent dead connection (no message for `staleAfter` ms), and says how it is doing.
//
//   import { connectHall, connectTicket, mountLiveBanner } from '/js/live.js';
//
//   const live = connectHall({
//     hall: 'demo', token,                    // a display/kiosk/guide device token or a user token
//     since: undefined,                       // undefined: start with a snapshot of the board
//     topics: ['ticket', EVENT.WINDOW_STATE], // optional filter (types or type prefixes; EVENT: /js/events.js)
//     onSnapshot(board, seq) {},              // the whole board (GET /api/halls/{hall}/board shape)
//     onEvent(ev) {},                         // {seq, hall, type, ts, actor, data}: in order, once each
//     onStatus(status, info) {},              // 'connecting' | 'open' | 'down' | 'refused' ({code, message, message_en}) | 'closed'
//   });
//   live.seq; live.status; live.close(); live.reconnect();
//
//   const tl = connectTicket({ token, onTicket(view) {}, onStatus(status, info) {} });
//   const city = connectCity({ token, onCity(view) {}, onStatus(status, info) {} });  // a supervisor's halls
//
//   mountLiveBanner(live)  -> a fixed "连接中断" banner while the connection is down
//
// Close codes 4400/4401/4403/4404 are refusals (bad request, token, permission, hall): the page
// is told ('refused') and the connection retries only slowly (every `refusedRetry` ms), so a
// token fixed on the server side still heals a screen nobody touches.

import { EVENT } from './events.js';
import { t } from './i18n.js';

const REFUSALS = new Set([4400, 4401, 4403, 4404]);

function wsBase() {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
}

// A browser cannot set headers on a WebSocket: the token goes as a subprotocol (never in the
// address, which servers and proxies log); the server answers 'hallq'.
const bearerProtocols = (token) => (token ? ['hallq', `bearer.${token}`] : ['hallq']);

class LiveConnection {
  constructor(url, opts) {
    this.makeUrl = url;
    this.opts = Object.assign({ minDelay: 500, maxDelay: 10000, staleAfter: 45000, pingEvery: 20000,
                                refusedRetry: 60000 }, opts);
    this.status = 'connecting';
    this.attempt = 0;
    this.ws = null;
    this.closed = false;
    this.timer = null;
    this.lastMessage = 0;
    this.refusal = null;
    this._onOnline = () => this._soon(0);
    this._onVisible = () => { if (document.visibilityState === 'visible' && this.status !== 'open') this._soon(0); };
    window.addEventListener('online', this._onOnline);
    document.addEventListener('visibilitychange', this._onVisible);
    this._watch = setInterval(() => this._checkAlive(), 1000);
  }

  _setStatus(status, info) {
    if (this.status === status && status !== 'refused') return;
    this.status = status;
    if (this.opts.onStatus) {
      try { this.opts.onStatus(status, info); } catch (e) { console.error(e); }
    }
    for (const fn of this._listeners || []) fn(status, info);
  }

  onStatus(fn) {
    (this._listeners ||= []).push(fn);
    fn(this.status, this.refusal);
  }

  _open() {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = null;
    let ws;
    try {
      ws = this.protocols ? new WebSocket(this.makeUrl(), this.protocols()) : new WebSocket(this.makeUrl());
    } catch (e) {
      this._scheduleRetry();
      return;
    }
    this.ws = ws;
    this.refusal = null;
    this.lastMessage = Date.now();
    if (this.status !== 'down' && this.status !== 'refused') this._setStatus('connecting');
    ws.onopen = () => {
      this.lastMessage = Date.now();
      this._setStatus('open');
      this._pinger = setInterval(() => this._send({ type: 'ping' }), this.opts.pingEvery);
    };
    ws.onmessage = (m) => {
      this.lastMessage = Date.now();
      this.attempt = 0; // a connection that delivers is a good one: the next drop retries quickly
      let msg;
      try { msg = JSON.parse(m.data); } catch { return; }
      if (msg.type === 'error') { this.refusal = msg; return; }
      if (msg.type === 'pong') return;
      try { this.handle(msg); } catch (e) { console.error(e); }
    };
    ws.onclose = (ev) => {
      clearInterval(this._pinger);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      if (REFUSALS.has(ev.code)) {
        const info = this.refusal || { code: String(ev.code), message: ev.reason || String(ev.code),
                                       message_en: ev.reason || String(ev.code) };
        this._setStatus('refused', info);
        this.timer = setTimeout(() => this._open(), this.opts.refusedRetry);
        return;
      }
      this._setStatus('down');
      this._scheduleRetry(ev.code === 4008 ? 0 : undefined);
    };
    ws.onerror = () => { /* onclose follows and decides */ };
  }

  _scheduleRetry(delay) {
    if (this.closed) return;
    if (delay === undefined) {
      const base = Math.min(this.opts.maxDelay, this.opts.minDelay * 2 ** this.attempt);
      delay = base * (0.8 + Math.random() * 0.4);
      this.attempt = Math.min(this.attempt + 1, 16);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._open(), delay);
  }

  _soon(delay) {
    if (this.closed || this.ws) return;
    this.attempt = 0;
    this._scheduleRetry(delay);
  }

  _checkAlive() {
    // A connection can die without a close (a cable pulled, a laptop asleep): nothing heard for
    // longer than the server's heartbeat allows means it is gone.
    if (this.ws && this.ws.readyState === WebSocket.OPEN && Date.now() - this.lastMessage > this.opts.staleAfter) {
      const ws = this.ws;
      this.ws = null;
      clearInterval(this._pinger);
      try { ws.close(4000, 'stale'); } catch { /* already gone */ }
      this._setStatus('down');
      this._scheduleRetry(0);
    }
  }

  _send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  reconnect() {
    if (this.closed) return;
    const ws = this.ws;
    this.ws = null;
    if (ws) { try { ws.close(1000, 'reconnect'); } catch { /* ignore */ } }
    this.attempt = 0;
    this._open();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this._watch);
    clearInterval(this._pinger);
    window.removeEventListener('online', this._onOnline);
    document.removeEventListener('visibilitychange', this._onVisible);
    if (this.ws) { try { this.ws.close(1000, 'bye'); } catch { /* ignore */ } }
    this.ws = null;
    this._setStatus('closed');
  }
}

class HallConnection extends LiveConnection {
  constructor(opts) {
    super(() => {
      const q = new URLSearchParams();
      if (this.seq !== undefined && this.seq !== null) q.set('since', String(this.seq));
      // Whatever a page follows, a cleared day makes it start over (see handle).
      if (opts.topics && opts.topics.length) q.set('topics', [...opts.topics, EVENT.HALL_CLEARED].join(','));
      return `${wsBase()}/ws/halls/${encodeURIComponent(opts.hall)}?${q}`;
    }, opts);
  }

  protocols() { return bearerProtocols(this.opts.token); }

  handle(msg) {
    if (msg.type === 'snapshot') {
      this.seq = msg.seq;
      if (this.opts.onSnapshot) this.opts.onSnapshot(msg.board, msg.seq);
      return;
    }
    if (msg.type === 'ping') {
      // Every event up to this seq that we asked for has been sent: safe to resume from.
      if (typeof msg.seq === 'number' && (this.seq === undefined || msg.seq > this.seq)) this.seq = msg.seq;
      return;
    }
    if (typeof msg.seq !== 'number') return;
    if (this.seq !== undefined && msg.seq <= this.seq) return; // already seen
    this.seq = msg.seq;
    if (msg.type === EVENT.HALL_CLEARED) {
      // The day's tickets are gone (a trial run before go-live): what the page holds is stale, and
      // a fresh snapshot replaces it.
      this.seq = undefined;
      this.reconnect();
      return;
    }
    if (this.opts.onEvent) this.opts.onEvent(msg);
  }
}

export function connectHall(opts) {
  if (!opts || !opts.hall) throw new Error('connectHall: hall is required');
  const conn = new HallConnection(opts);
  conn.seq = opts.since === undefined || opts.since === null ? undefined : opts.since;
  conn._open();
  return conn;
}

class TicketConnection extends LiveConnection {
  constructor(opts) {
    super(() => `${wsBase()}/ws/tickets/${encodeURIComponent(opts.token)}`, opts);
  }

  handle(msg) {
    if (msg.type === 'ticket' && msg.ticket && this.opts.onTicket) this.opts.onTicket(msg.ticket, msg.seq);
  }
}

export function connectTicket(opts) {
  if (!opts || !opts.token) throw new Error('connectTicket: token is required');
  const conn = new TicketConnection(opts);
  conn._open();
  return conn;
}

class CityConnection extends LiveConnection {
  constructor(opts) {
    super(() => `${wsBase()}/ws/city`, opts);
  }

  protocols() { return bearerProtocols(this.opts.token); }

  handle(msg) {
    if (msg.type === 'city' && this.opts.onCity) this.opts.onCity(msg);
  }
}

export function connectCity(opts) {
  if (!opts || !opts.token) throw new Error('connectCity: token is required');
  const conn = new CityConnection(opts);
  conn._open();
  return conn;
}

// A fixed banner shown while `conn` is not connected (after `grace` ms, so a quick reconnect
// does not flash). The page can style `.live-banner`; `document.documentElement.dataset.live`
// carries the status too (CSS hooks and tests).
export function mountLiveBanner(conn, { grace = 800, parent = document.body } = {}) {
  const el = document.createElement('div');
  el.className = 'live-banner';
  el.setAttribute('role', 'alert');
  el.hidden = true;
  parent.appendChild(el);
  let timer = null;
  const onLang = () => show(conn.status, conn.refusal);
  const show = (status, info) => {
    clearTimeout(timer);
    if (status === 'closed') { // the page closed this connection: its banner goes too
      el.remove();
      document.removeEventListener('langchange', onLang);
      return;
    }
    document.documentElement.dataset.live = status;
    if (status === 'open') { el.hidden = true; return; }
    if (status === 'connecting' && el.hidden) return; // first connection: no alarm yet
    const text = status === 'refused'
      ? t('live.refused', { reason: info ? (document.documentElement.lang === 'en' ? info.message_en : info.message) : '' })
      : t('live.down');
    timer = setTimeout(() => { el.textContent = text; el.hidden = false; }, status === 'refused' ? 0 : grace);
  };
  conn.onStatus(show);
  document.addEventListener('langchange', onLang);
  return el;
}
