// The board's voice: one queue, one announcement at a time, none dropped in a burst.
//
// An announcement is a chime, then the call spoken `repeat` times. The speech is the server's
// WAV (`audio_url` of the event, espeak-ng's Mandarin voice); when the server has no speech
// engine, the browser's speechSynthesis with a Chinese voice; failing that, the chime alone.
// The next announcement's audio is fetched while the current one plays.
//
//   const a = new Announcer({ repeat: 2, voice: 'auto' });   // voice: auto | server | browser | chime | off
//   a.enqueue({ seq, number, window, text, speech, audio_url, recall });
//   a.log      -> [{seq, number, window, text, mode, start, end, error?}]  (performance.now() ms)
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
  constructor({ repeat = 2, voice = 'auto', gap = 500 } = {}) {
    this.repeat = Math.max(1, Math.min(5, repeat | 0 || 1));
    this.voice = voice;
    this.gap = gap;
    this.queue = [];
    this.log = [];
    this.playing = null;
    this.blocked = false;
    this.onchange = null;
    this.serverDownUntil = 0;
    this.chime = chimeWav();
    this.audio = new Audio();
    this.audio.preload = 'auto';
    let stored = null;
    try { stored = localStorage.getItem(VOICE_KEY); } catch { /* ignore */ }
    this.enabled = stored === 'on';
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

  enqueue(call) {
    const item = Object.assign({}, call, { speechUrl: null });
    if (this.voice !== 'off' && this.voice !== 'chime' && this.voice !== 'browser') item.fetching = this._fetchSpeech(item);
    this.queue.push(item);
    if (this.voice !== 'off' && !this.enabled) {
      // Nobody has allowed sound yet: keep the latest few, not a day's worth.
      while (this.queue.length > 8) this.queue.shift();
    }
    this._changed();
    this._pump();
  }

  async _fetchSpeech(item) {
    if (!item.audio_url || Date.now() < this.serverDownUntil) return null;
    try {
      const res = await fetch(item.audio_url, { cache: 'force-cache' });
      if (!res.ok) {
        if (res.status === 503) this.serverDownUntil = Date.now() + SERVER_RETRY_MS;
        return null;
      }
      return URL.createObjectURL(await res.blob());
    } catch {
      return null;
    }
  }

  async _pump() {
    if (this.playing || !this.queue.length) return;
    if (this.voice !== 'off' && !this.enabled) return; // waiting for the click that allows sound
    const item = this.queue.shift();
    this.playing = item;
    const entry = { seq: item.seq, number: item.number, window: item.window, text: item.text, recall: item.recall || 0,
                    mode: null, start: performance.now(), end: null };
    this.log.push(entry);
    if (this.log.length > LOG_KEEP) this.log.splice(0, this.log.length - LOG_KEEP);
    this._changed();
    try {
      entry.mode = await this._announce(item);
    } catch (e) {
      entry.error = String(e && e.name || e);
      if (e && e.name === 'NotAllowedError') {
        this.blocked = true;
        this.enabled = false;
      }
    } finally {
      if (item.speechUrl) URL.revokeObjectURL(item.speechUrl);
      entry.end = performance.now();
      this.playing = null;
      this._changed();
    }
    await sleep(this.gap);
    this._pump();
  }

  async _announce(item) {
    if (this.voice === 'off') return 'off';
    await this._play(this.chime);
    let mode = 'chime';
    if (this.voice !== 'chime') {
      item.speechUrl = item.fetching ? await item.fetching : null;
      if (item.speechUrl) mode = 'server';
      else if (this.voice !== 'server' && this._browserVoice()) mode = 'browser';
    }
    for (let i = 0; mode !== 'chime' && i < this.repeat; i++) {
      if (i > 0) await sleep(600);
      if (mode === 'server') await this._play(item.speechUrl);
      else await this._speak(item.speech || item.text);
    }
    return mode;
  }

  _play(src) {
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
      a.onloadedmetadata = () => { if (Number.isFinite(a.duration)) arm(a.duration * 1000 + 3000); };
      arm(30000);
      a.src = src;
      a.currentTime = 0;
      a.play().catch((e) => done(e));
    });
  }

  _browserVoice() {
    if (!('speechSynthesis' in window)) return null;
    return speechSynthesis.getVoices().find((v) => /^zh|cmn/i.test(v.lang)) || null;
  }

  _speak(text) {
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = 'zh-CN';
      u.voice = this._browserVoice();
      u.rate = 0.9;
      const timer = setTimeout(resolve, 3000 + text.length * 450);
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
    });
  }
}
