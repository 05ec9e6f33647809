// The hall's event types, as the pages compare them: the same list as queue_server/domain/events.py
// (the README's Events table says when each happens and what it carries; a test keeps the two equal).
//   import { EVENT } from './events.js';   if (ev.type === EVENT.TICKET_CALLED) …

export const EVENT = Object.freeze({
  TICKET_ISSUED: 'ticket.issued',
  TICKET_CALLED: 'ticket.called',
  TICKET_RECALLED: 'ticket.recalled',
  TICKET_SERVING: 'ticket.serving',
  TICKET_DONE: 'ticket.done',
  TICKET_NO_SHOW: 'ticket.no_show',
  TICKET_TRANSFERRED: 'ticket.transferred',
  TICKET_REACTIVATED: 'ticket.reactivated',
  TICKET_CANCELLED: 'ticket.cancelled',
  TICKET_EXPIRED: 'ticket.expired',
  QUEUE_STATS: 'queue.stats',
  WINDOW_STATE: 'window.state',
  RATING_SUBMITTED: 'rating.submitted',
  FOLLOWUP_OPENED: 'followup.opened',
  FOLLOWUP_UPDATED: 'followup.updated',
  DEVICE_STATE: 'device.state',
  HALL_NOTICE: 'hall.notice',
  HALL_CHANGED: 'hall.changed',
  HALL_CLEARED: 'hall.cleared',
  APPOINTMENT_BOOKED: 'appointment.booked',
  APPOINTMENT_CANCELLED: 'appointment.cancelled',
  SIGNIN_LOCKED: 'signin.locked',
  ALERT_RAISED: 'alert.raised',
  ALERT_CLEARED: 'alert.cleared',
  ALERT_ACKNOWLEDGED: 'alert.acknowledged',
});
