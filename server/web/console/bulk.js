// Bulk changes: a checkbox per row, select-all for the page, and a bar that sends one change
// (status with an optional public note, assignee, priority) for up to 500 selected requests.
// The API applies it to all or none; on 409 the bar lists every request that refused and why.
import * as api from './api.js';
import { $, el } from './dom.js';

const MAX = 500;

export function createBulk(ctx) {
  const selected = new Set(); // tracking ids, kept across pages and refreshes
  let onPage = [];

  function boxes() {
    return [...$('queue-body').querySelectorAll('input.pick')];
  }

  /** Updates the count, the page's select-all box and the apply button. */
  function sync() {
    const count = selected.size;
    $('bulk-count').textContent = `${count} selected${count > MAX ? ` (at most ${MAX} at once)` : ''}`;
    $('bulk-apply').disabled = count === 0 || count > MAX;
    $('bulk-clear').disabled = count === 0;
    const all = $('select-page');
    const picked = onPage.filter((id) => selected.has(id)).length;
    all.checked = onPage.length > 0 && picked === onPage.length;
    all.indeterminate = picked > 0 && picked < onPage.length;
  }

  function set(id, on) {
    if (on) selected.add(id);
    else selected.delete(id);
    const box = boxes().find((b) => b.value === id);
    if (box) box.checked = on;
  }

  /** The checkbox for one row. */
  function checkbox(id) {
    const box = el('input', { className: 'pick', attrs: { type: 'checkbox', 'aria-label': `Select ${id}` } });
    box.value = id;
    box.checked = selected.has(id);
    return box;
  }

  /** After a render: the ids now on the page. */
  function pageShown(ids) {
    onPage = ids;
    sync();
  }

  /** `x`: toggles a row. */
  function toggle(id) {
    set(id, !selected.has(id));
    sync();
  }

  function clear() {
    selected.clear();
    for (const box of boxes()) box.checked = false;
    sync();
  }

  $('queue-body').addEventListener('change', (event) => {
    if (!event.target.matches('input.pick')) return;
    set(event.target.value, event.target.checked);
    sync();
  });

  $('select-page').addEventListener('change', (event) => {
    for (const id of onPage) set(id, event.target.checked);
    sync();
  });

  $('bulk-clear').addEventListener('click', clear);

  $('bulk').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('bulk-error').textContent = '';
    $('bulk-done').textContent = '';
    $('bulk-refused').replaceChildren();
    const changes = {};
    const status = $('bulk-status').value;
    const note = $('bulk-note').value.trim();
    const assignee = $('bulk-assignee').value.trim();
    const priority = $('bulk-priority').value;
    if (status) changes.status = status;
    if (note) changes.public_note = note;
    if (assignee === 'none') changes.assignee = null;
    else if (assignee === 'me') changes.assignee = ctx.session()?.user;
    else if (assignee) changes.assignee = assignee;
    if (priority) changes.priority = priority;
    if (note && !status) {
      $('bulk-error').textContent = 'A public note goes with a status change: choose a status too.';
      return;
    }
    if (Object.keys(changes).length === 0) {
      $('bulk-error').textContent = 'Choose a status, an assignee or a priority to apply.';
      return;
    }
    const ids = [...selected];
    $('bulk-apply').disabled = true;
    try {
      const answer = await api.bulkChange(ids, changes);
      const changed = answer?.changed?.length ?? ids.length;
      $('bulk-done').textContent = `Changed ${changed} request${changed === 1 ? '' : 's'}.`;
      $('bulk').reset();
      clear();
      ctx.refreshQueue();
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      $('bulk-error').textContent = error.refused.length
        ? `Nothing changed: ${error.refused.length} of ${ids.length} refused.` : `Nothing changed: ${error.message}`;
      $('bulk-refused').replaceChildren(...error.refused.map((r) =>
        el('li', { text: `${r.id}: ${r.message}${r.status ? ` (${r.status})` : ''}` })));
    } finally {
      sync();
    }
  });

  // The same status choices as the detail's form, listed once in the page.
  $('bulk-status').append(...[...$('action-status').options].filter((o) => o.value).map((o) => o.cloneNode(true)));
  sync();
  return { checkbox, pageShown, toggle };
}
