// The handoff inbox: conversations the bot handed to a person. Opening one shows the
// conversation; staff reply on the resident's channel or give it back to the bot. The list
// refreshes while it is shown (handoffs have no events on the live channel).
import * as api from './api.js';
import { $, el, timeEl, transcriptItems } from './dom.js';

const REFRESH_MS = 5000;
const REASONS = { asked: 'asked for a person', not_understood: 'not understood', emergency: 'emergency' };

export function createHandoffs(ctx) {
  let openId = null;
  let timer = null;
  let listKey = '';
  let detailKey = '';

  function say({ error = '', done = '' }) {
    $('handoff-error').textContent = error;
    $('handoff-done').textContent = done;
  }

  async function loadList() {
    try {
      const answer = await api.listHandoffs();
      $('handoffs-error').textContent = '';
      const waiting = answer.items.filter((h) => h.status === 'waiting').length;
      $('handoff-count').textContent = waiting ? `(${waiting} waiting)` : '';
      const key = JSON.stringify(answer.items);
      if (key === listKey) return;
      listKey = key;
      const rows = answer.items.map((h) => {
        const row = el('tr', { attrs: { 'data-id': String(h.id) } });
        if (String(h.id) === openId) row.setAttribute('aria-current', 'true');
        row.append(
          el('td', {}, el('button', { className: 'open', text: `Handoff ${h.id}`, attrs: { type: 'button' } })),
          el('td', { text: h.status }),
          el('td', { text: REASONS[h.reason] ?? h.reason }),
          el('td', { text: h.channel + (h.opted_out ? ' (opted out)' : '') }),
          el('td', { text: h.language }),
          el('td', {}, timeEl(h.created_at)),
        );
        return row;
      });
      $('handoff-body').replaceChildren(...(rows.length ? rows
        : [el('tr', {}, el('td', { text: 'Nobody is waiting for a person.', attrs: { colspan: '6' } }))]));
    } catch (error) {
      if (!ctx.handleAuthError(error)) $('handoffs-error').textContent = error.message;
    }
  }

  async function loadDetail(id, { focus = false } = {}) {
    try {
      const handoff = await api.getHandoff(id);
      if (openId !== id) return;
      const key = JSON.stringify(handoff);
      if (key !== detailKey) {
        detailKey = key;
        $('handoff-heading').textContent = `Handoff ${handoff.id} · ${handoff.status} · ${handoff.channel}`;
        $('handoff-transcript').replaceChildren(...transcriptItems(handoff.transcript, 'No messages.'));
        const closed = handoff.status === 'closed';
        for (const control of $('reply-form').querySelectorAll('textarea, button')) control.disabled = closed;
      }
      if (focus) $('handoff-heading').focus();
    } catch (error) {
      if (!ctx.handleAuthError(error)) say({ error: error.message });
    }
  }

  function refresh() {
    loadList();
    if (openId) loadDetail(openId);
  }

  /** Shows the inbox, with handoff `id` open (or none). */
  function show(id) {
    $('handoffs').hidden = false;
    if (id !== openId) {
      openId = id;
      detailKey = '';
      say({});
      $('reply-form').reset();
    }
    $('handoff-detail').hidden = !openId;
    for (const row of $('handoff-body').querySelectorAll('tr[data-id]')) {
      if (row.dataset.id === openId) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    }
    loadList();
    if (openId) loadDetail(openId, { focus: true });
    clearInterval(timer);
    timer = setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
  }

  function hide() {
    $('handoffs').hidden = true;
    clearInterval(timer);
    timer = null;
  }

  $('handoff-body').addEventListener('click', (event) => {
    const row = event.target.closest('tr[data-id]');
    if (row) ctx.openHandoff(row.dataset.id);
  });

  $('reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('reply-text').value.trim();
    say({});
    if (!openId) return;
    if (!text) {
      say({ error: 'Write a reply first.' });
      return;
    }
    try {
      const answer = await api.replyToHandoff(openId, text);
      $('reply-form').reset();
      say({ done: answer.suppressed ? 'Saved, but not sent: the resident opted out of texts.' : 'Reply sent.' });
      refresh();
    } catch (error) {
      if (!ctx.handleAuthError(error)) say({ error: error.message });
    }
  });

  $('handoff-close').addEventListener('click', async () => {
    if (!openId) return;
    say({});
    try {
      await api.closeHandoff(openId);
      say({ done: 'Given back to the bot.' });
      refresh();
    } catch (error) {
      if (!ctx.handleAuthError(error)) say({ error: error.message });
    }
  });

  return { show, hide, refresh };
}
