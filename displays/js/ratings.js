// 好差评: the hall's rating scale and a 差评's reasons come from the server (queue_server/domain/rating.py,
// the only definition), in GET /api/halls/{hall} as `rating`: {scale, levels: [{score, key, zh, en, bad}]
// best first, reasons: [{code, zh, en}], reason_text_max}. The five levels follow 国办发〔2019〕51号.
// A 差评 is sent only with a reason from the list (「其他」 with words): reasonForm asks for it.

import { api } from './api.js';
import { lang, register, t } from './i18n.js';
import { el } from './util.js';

register({
  reason_q: ['很抱歉！请选择不满意的原因', 'Sorry! What went wrong?'],
  reason_more: ['补充说明（选填，选“其他”时必填）', 'More details (needed with "Other")'],
  reason_send: ['提交评价', 'Send rating'],
  reason_back: ['重新选择', 'Back'],
  reason_followup: ['我们将在 15 个工作日内核实整改并回访', 'We will look into it and call you back within 15 working days'],
});

export async function loadScale(hall) {
  return (await api(`/api/halls/${encodeURIComponent(hall)}`)).rating;
}

export const levelText = (level) => (lang === 'en' ? level.en : level.zh);

export function levelOf(scale, score) {
  return scale.levels.find((lv) => lv.score === score);
}

// The reason step of a 差评. `draft` ({reason, text}) is the caller's, so a page that redraws keeps
// what the citizen chose and typed; onSend(reason, text) is called once a reason is complete.
export function reasonForm(scale, draft, { busy, onSend, onBack }) {
  const complete = () => draft.reason && (draft.reason !== 'other' || draft.text.trim());
  const send = el('button', { type: 'button', class: 'btn primary', 'data-act': 'send',
    disabled: busy || !complete(), onclick: () => complete() && onSend(draft.reason, draft.text.trim()) }, t('reason_send'));
  const choices = scale.reasons.map((r) => el('button', {
    type: 'button', class: 'reason', dataset: { reason: r.code }, 'aria-pressed': String(draft.reason === r.code),
    disabled: busy,
    onclick: (ev) => {
      draft.reason = r.code;
      for (const b of ev.currentTarget.parentElement.children) b.setAttribute('aria-pressed', String(b === ev.currentTarget));
      send.disabled = busy || !complete();
    },
  }, lang === 'en' ? r.en : r.zh));
  const text = el('textarea', { class: 'field reason-text', rows: 2, maxlength: scale.reason_text_max,
    placeholder: t('reason_more'), 'aria-label': t('reason_more'), disabled: busy,
    oninput: (ev) => { draft.text = ev.target.value; send.disabled = busy || !complete(); } });
  text.value = draft.text;
  return el('div', { class: 'reason-form' },
    el('div', { class: 'reason-q' }, t('reason_q')),
    el('div', { class: 'reasons' }, ...choices),
    text,
    el('div', { class: 'reason-note muted' }, t('reason_followup')),
    el('div', { class: 'reason-acts' },
      el('button', { type: 'button', class: 'btn', 'data-act': 'back', disabled: busy, onclick: onBack }, t('reason_back')), send));
}
