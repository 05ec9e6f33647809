// The board's voice: one queue, one announcement at a time, and never far behind the calls.
//
// The speech is the server's WAV of the call (`audio_url` of the event: the chime, then the call as
// often as the hall's voice.repeat says, assembled from the hall's voice pack). When the server has
// no voice, the browser's speechSynthesis with a Chinese voice; failing that, the chime alone.
//
// A busy hall calls faster than one board can speak, so the queue keeps up instead of falling behind:
//   - a newer call at a window replaces that window's call still waiting (it is logged as superseded);
//   - from `busy` calls waiting until the queue is empty, the newest goes first, in the brief form
//     (number and window once, no chime; the server's `?form=brief`) played `busyRate` times faster;
//   - a call not started within `maxDelay` seconds of being made is not voiced (logged as late).
// A call not voiced is never silent about it: `onunvoiced(call, reason)` lets the board mark it.
//
//   const a = new Announcer({ voice: 'auto', repeat: 1, maxDelay: 60, now: () => clock.now() });
//   a.enqueue({ seq, number, window, text, speech, audio_url, recall, ts });
//   a.log      -> [{seq, number, window, text, mode, brief, start, end, at, error?}]
//                 (start/end: performance.now() ms; at: Date.now() when it started;
//                  mode: server | browser | chime | off | superseded | late)
//   a.unlock() -> from a click: lets the browser play sound; remembered in localStorage
//   a.blocked  -> true when the browser refused to play without a click
//   a.onchange -> called when the queue, log or blocked state changes
const VOICE_KEY = 'hallq.voice';
const SERVER_RETRY_MS = 5 * 60 * 1000; // after a 503, try the server's speech again this much later
const LOG_KEEP = 200;

function chimeWav() {
  // A two-tone "ding-dong" (E5 then C5 with soft harmonics), 16-bit mono, made here: no asset.
  const rate = 22050;
  const notes = [[659.25, 0, 0.8], [523.25, 0.4, 0.85]];
  const total = Math.ceil(rate * 1.25);
  const pcm = new Int16Array(total);
  for (const [f, at, len] of notes) {
    const start = Math.floor(at * rate);
    const n = Math.floor(len * rate);
    for (let i = 0; i < n && start + i < total; i++) {
      const tt = i / rate;
      const env = Math.min(1, tt / 0.01) * Math.exp(-4 * tt);
      const v = Math.sin(2 * Math.PI * f * tt) + 0.35 * Math.sin(4 * Math.PI * f * tt) + 0.12 * Math.sin(6 * Math.PI * f * tt);
      pcm[start + i] = Math.max(-32767, Math.min(32767, pcm[start + i] + v * env * 9000));
    }
  }
  const buf = new ArrayBuffer(44 + pcm.byteLength);
  const dv = new DataView(buf);
  const str = (o, s) => { for (let i = 0; i < s.length; i++) dv.setUint8(o + i, s.charCodeAt(i)); };
  str(0, 'RIFF'); dv.setUint32(4, 36 + pcm.byteLength, true); str(8, 'WAVE');
  str(12, 'fmt '); dv.setUint32(16, 16, true); dv.setUint16(20, 1, true); dv.setUint16(22, 1, true);
  dv.setUint32(24, rate, true); dv.setUint32(28, rate * 2, true); dv.setUint16(32, 2, true); dv.setUint16(34, 16, true);
  str(36, 'data'); dv.setUint32(40, pcm.byteLength, true);
  new Int16Array(buf, 44).set(pcm);
  return URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Announcer {
  // autoplay: the browser was started to play without a click (a wall TV, see README): start enabled.
  constructor({ repeat = 1, voice = 'auto', gap = 250, maxDelay = 60, busy = 3, busyRate = 1.35, now = Date.now,
                autoplay = false } = {}) {
    this.voice = voice;
    this.gap = gap;
    this.busy = busy;
    this.busyRate = busyRate;
    this.now = now;
    this.configure({ repeat, max_delay_seconds: maxDelay });
    this.queue = [];
    this.log = [];
    this.playing = null;
    this.blocked = false;
    this.onchange = null;
    this.onunvoiced = null;
    this.serverDownUntil = 0;
    this.busyNow = false;
    this.chime = chimeWav();
    this.audio = new Audio();
    this.audio.preload = 'auto';
    let stored = null;
    try { stored = localStorage.getItem(VOICE_KEY); } catch { /* ignore */ }
    this.enabled = autoplay || stored === 'on';
  }

  // The hall file's voice section (the board snapshot's `voice`).
  configure({ repeat, max_delay_seconds: maxDelay } = {}) {
    if (repeat !== undefined) this.repeat = Math.max(1, Math.min(5, repeat | 0 || 1));
    if (maxDelay !== undefined) this.maxDelay = Math.max(1, Number(maxDelay) || 60);
  }

  get pending() { return this.queue.length + (this.playing ? 1 : 0); }

  _changed() { if (this.onchange) { try { this.onchange(); } catch (e) { console.error(e); } } }

  // Called from a click: the user's gesture lets this page play sound from now on.
  async unlock() {
    this.enabled = true;
    this.blocked = false;
    try { localStorage.setItem(VOICE_KEY, 'on'); } catch { /* ignore */ }
    try {
      const a = this.audio;
      a.src = this.chime;
      a.volume = 0.01;
      await a.play();
      a.pause();
    } catch { /* the next announcement will tell */ }
    this.audio.volume = 1;
    this._changed();
    this._pump();
  }

  _entry(item, mode) {
    const entry = { seq: item.seq, number: item.number, window: item.window, text: item.text, recall: item.recall || 0,
                    mode, brief: false, start: performance.now(), at: Date.now(), end: null };
    this.log.push(entry);
    if (this.log.length > LOG_KEEP) this.log.splice(0, this.log.length - LOG_KEEP);
    return entry;
  }

  _unvoiced(item, reason) {
    const entry = this._entry(item, reason);
    entry.end = entry.start;
    this._flag(item, reason);
  }

  _flag(item, reason) {
    if (this.onunvoiced) { try { this.onunvoiced(item, reason); } catch (e) { console.error(e); } }
  }

  enqueue(call) {
    const item = Object.assign({}, call, { madeAt: Date.parse(call.ts) || this.now() });
    // The newer call at a window is the one to go to: the older one still waiting is not said.
    for (const old of this.queue.filter((q) => q.window === item.window)) this._unvoiced(old, 'superseded');
    this.queue = this.queue.filter((q) => q.window !== item.window);
    this.queue.push(item);
    this._changed();
    this._pump();
  }

  _dropLate() {
    const late = this.queue.filter((q) => this.now() - q.madeAt > this.maxDelay * 1000);
    for (const item of late) this._unvoiced(item, 'late');
    this.queue = this.queue.filter((q) => !late.includes(q));
  }

  _next() {
    this._dropLate();
    if (!this.queue.length) return null;
    // Busy from `busy` calls waiting until the queue is empty again, so a backlog is worked off brief.
    this.busyNow = this.queue.length >= this.busy || (this.busyNow && this.queue.length > 0);
    const item = this.busyNow ? this.queue.pop() : this.queue.shift();
    item.brief = this.busyNow;
    if (!this.queue.length) this.busyNow = false; // the backlog is worked off: the next lone call is said in full
    return item;
  }

  async _pump() {
    if (this.playing || !this.queue.length) return;
    if (this.voice !== 'off' && !this.enabled) { // nobody has allowed sound yet: late calls are flagged all the same
      this._dropLate();
      return;
    }
    const item = this._next();
    if (!item) { this._changed(); return; }
    this.playing = item;
    const entry = this._entry(item, null);
    entry.brief = item.brief;
    this._changed();
    try {
      entry.mode = await this._announce(item);
    } catch (e) {
      entry.error = String(e && e.name || e);
      if (e && e.name === 'NotAllowedError') {
        this.blocked = true;
        this.enabled = false;
        this._flag(item, 'blocked'); // the browser refused to play it: the board marks it
      }
    } finally {
      if (item.speechUrl) URL.revokeObjectURL(item.speechUrl);
      entry.end = performance.now();
      this.playing = null;
      this._changed();
    }
    await sleep(item.brief ? this.gap / 2 : this.gap);
    this._pump();
  }

  async _fetchSpeech(item) {
    if (!item.audio_url || Date.now() < this.serverDownUntil) return null;
    try {
      const res = await fetch(item.brief ? `${item.audio_url}?form=brief` : item.audio_url, { cache: 'force-cache' });
      if (!res.ok) {
        if (res.status === 503) this.serverDownUntil = Date.now() + SERVER_RETRY_MS;
        return null;
      }
      return URL.createObjectURL(await res.blob());
    } catch {
      return null;
    }
  }

  async _announce(item) {
    if (this.voice === 'off') return 'off';
    const rate = item.brief ? this.busyRate : 1;
    if (this.voice !== 'chime' && this.voice !== 'browser') {
      item.speechUrl = await this._fetchSpeech(item);
      if (item.speechUrl) { // the server's WAV has its own chime and repeats
        await this._play(item.speechUrl, rate);
        return 'server';
      }
    }
    if (!item.brief) await this._play(this.chime);
    if (this.voice === 'chime' || this.voice === 'server' || !this._browserVoice()) return 'chime';
    for (let i = 0; i < (item.brief ? 1 : this.repeat); i++) {
      if (i > 0) await sleep(400);
      await this._speak(item.speech || item.text, rate);
    }
    return 'browser';
  }

  _play(src, rate = 1) {
    const a = this.audio;
    return new Promise((resolve, reject) => {
      let timer = null;
      const done = (err) => {
        clearTimeout(timer);
        a.onended = a.onerror = a.onloadedmetadata = null;
        err ? reject(err) : resolve();
      };
      const arm = (ms) => { clearTimeout(timer); timer = setTimeout(() => done(), ms); }; // never stuck
      a.onended = () => done();
      a.onerror = () => done(new Error('audio error'));
      a.onloadedmetadata = () => { if (Number.isFinite(a.duration)) arm(a.duration * 1000 / rate + 3000); };
      arm(30000);
      a.src = src;
      a.playbackRate = rate; // keeps the pitch (preservesPitch is the default)
      a.currentTime = 0;
      a.play().catch((e) => done(e));
    });
  }

  _browserVoice() {
    if (!('speechSynthesis' in window)) return null;
    return speechSynthesis.getVoices().find((v) => /^zh|cmn/i.test(v.lang)) || null;
  }

  _speak(text, rate = 1) {
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = 'zh-CN';
      u.voice = this._browserVoice();
      u.rate = 0.9 * rate;
      const timer = setTimeout(resolve, 3000 + text.length * 450);
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
    });
  }
}
