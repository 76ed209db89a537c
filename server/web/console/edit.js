// The detail pane's edit forms: assignee (to me, by name, unassign), priority, team and
// category through PATCH, and merging the request into another one. Refusals show the API's
// message in a live region.
import * as api from './api.js';
import { $ } from './dom.js';

const FIELDS = ['assignee', 'priority', 'team', 'category'];

export function createEditor(ctx) {
  let dirty = false; // the user has typed into the form since it was filled

  function inputs() {
    return { assignee: $('edit-assignee'), priority: $('edit-priority'), team: $('edit-team'), category: $('edit-category') };
  }

  function say({ error = '', done = '' }) {
    $('edit-error').textContent = error;
    $('edit-done').textContent = done;
  }

  /** Shows `detail`'s values, unless the user is editing them (a live refresh must not undo typing). */
  function fill(detail, { force = false } = {}) {
    if (dirty && !force) return;
    const controls = inputs();
    for (const field of FIELDS) controls[field].value = detail[field] ?? '';
    dirty = false;
  }

  function reset() {
    dirty = false;
    $('merge-form').reset();
    say({});
  }

  async function patch(changes, done) {
    const detail = ctx.detail();
    if (!detail) return;
    say({});
    try {
      const updated = await api.patchRequest(detail.id, changes);
      dirty = false;
      ctx.showDetail(updated);
      fill(updated, { force: true });
      say({ done });
      ctx.refreshQueue();
    } catch (error) {
      if (!ctx.handleAuthError(error)) say({ error: error.message });
    }
  }

  $('edit-form').addEventListener('input', () => { dirty = true; });

  $('edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const detail = ctx.detail();
    if (!detail) return;
    const controls = inputs();
    const changes = {};
    for (const field of FIELDS) {
      const value = controls[field].value.trim();
      if (value === (detail[field] ?? '')) continue;
      // An empty assignee or team clears it; category and priority cannot be empty.
      changes[field] = value === '' && (field === 'assignee' || field === 'team') ? null : value;
    }
    if (Object.keys(changes).length === 0) {
      say({ error: 'Nothing changed: edit a field first.' });
      return;
    }
    patch(changes, `Saved ${Object.keys(changes).join(', ')}.`);
  });

  $('assign-me').addEventListener('click', () => {
    const user = ctx.session()?.user;
    if (user) patch({ assignee: user }, `Assigned to ${user}.`);
  });

  $('unassign').addEventListener('click', () => patch({ assignee: null }, 'Unassigned.'));

  $('merge-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const detail = ctx.detail();
    const into = $('merge-into').value.trim();
    if (!detail) return;
    say({});
    if (!into) {
      say({ error: "Type the original request's tracking id." });
      return;
    }
    try {
      const updated = await api.mergeRequest(detail.id, into);
      $('merge-form').reset();
      ctx.showDetail(updated);
      say({ done: `Merged into ${into}; its followers will hear about ${into} from now on.` });
      ctx.refreshQueue();
    } catch (error) {
      if (!ctx.handleAuthError(error)) say({ error: `Not merged: ${error.message}` });
    }
  });

  return { fill, reset };
}
