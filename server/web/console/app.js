// The staff console: login, the queue (filters and sort kept in the URL, server-side pages),
// the detail pane with its actions, keyboard shortcuts and live updates. The detail's edit
// forms, bulk changes, the handoff inbox, the supervisors' panel and the live channel each
// live in their own module.
// Every piece of request or resident data reaches the page through textContent or a
// checked attribute, never through HTML parsing.
import * as api from './api.js';
import { $, el, timeEl, safeUrl, humanStatus, fillDatalist, transcriptItems } from './dom.js';
import { createBulk } from './bulk.js';
import { createEditor } from './edit.js';
import { createHandoffs } from './handoffs.js';
import { createLive } from './live.js';
import { createSupervisor } from './supervisor.js';

const OPEN_STATUSES = 'new,acknowledged,in_progress,reopened';
const FILTER_KEYS = ['status', 'category', 'channel', 'team', 'assignee', 'priority', 'overdue', 'q'];
const URL_KEYS = [...FILTER_KEYS, 'sort', 'limit', 'cursor', 'open', 'view', 'handoff'];
const DEFAULT_SORT = '-created_at';
const COLUMNS = 10;

/** What the console knows; the URL is the source of truth for the view. */
const state = {
  session: null,
  page: null,          // the last queue answer
  pageKey: '',         // its serialisation, to skip re-rendering an unchanged refresh
  selected: null,      // tracking id of the highlighted row
  detail: null,
  detailKey: '',
  generation: 0,       // bumps on every navigation; stale answers are dropped
  loading: false,
  reloadAgain: false,  // a refresh asked for while one was running
  categories: new Set(),
  teams: new Set(),
  assignees: new Set(),
};

/** Measurements the browser test reads. */
const metrics = { renders: [], live: 'off' };
window.civiclineConsole = metrics;

// ---------------------------------------------------------------- URL state

function viewFromUrl() {
  const params = new URLSearchParams(location.search);
  const view = {};
  for (const key of URL_KEYS) {
    const value = params.get(key);
    if (value) view[key] = value;
  }
  return view;
}

function writeUrl(view, { push }) {
  const params = new URLSearchParams();
  for (const key of URL_KEYS) {
    if (view[key]) params.set(key, view[key]);
  }
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ''}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

/** The API query for a console view. */
function apiParams(view) {
  const params = new URLSearchParams();
  if (view.status) params.set('status', view.status === 'open' ? OPEN_STATUSES : view.status);
  for (const key of ['category', 'channel', 'team', 'assignee', 'priority', 'q', 'sort', 'limit', 'cursor']) {
    if (view[key]) params.set(key, view[key]);
  }
  if (view.overdue === 'true') params.set('overdue', 'true');
  return params;
}

/** Moves to a new view (filters, sort or page): a new history entry, then a load. */
function navigate(changes) {
  const view = { ...viewFromUrl(), ...changes };
  for (const key of Object.keys(view)) if (!view[key]) delete view[key];
  writeUrl(view, { push: true });
  showView(view);
}

/** Shows the queue (and its detail) or the handoff inbox for a view from the URL. */
function showView(view) {
  const inbox = view.view === 'handoffs';
  $('view-queue').setAttribute('aria-pressed', String(!inbox));
  $('view-handoffs').setAttribute('aria-pressed', String(inbox));
  $('app').querySelector('.queue').hidden = inbox;
  if (inbox) {
    $('detail').hidden = true;
    $('app').classList.remove('with-detail');
    handoffs.show(view.handoff ?? null);
    return;
  }
  handoffs.hide();
  syncFiltersForm(view);
  loadQueue({ fresh: true });
  if (view.open) openDetail(view.open, { updateUrl: false, focus: false });
  else if (!$('detail').hidden) closeDetail({ updateUrl: false });
}

// ---------------------------------------------------------------- login and logout

function showLogin(message = '') {
  live.stop();
  handoffs.hide();
  state.session = null;
  state.page = null;
  state.pageKey = '';
  state.detail = null;
  state.detailKey = '';
  $('app').hidden = true;
  $('who').hidden = true;
  $('views').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('queue-body').replaceChildren();
  $('login-name').focus();
}

function showApp(session) {
  state.session = session;
  $('login').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('views').hidden = false;
  $('who-name').textContent = `${session.user} (${session.role})`;
  supervisor.setRole(session.role);
  const view = viewFromUrl();
  if (view.open) state.selected = view.open;
  showView(view);
  live.start();
}

function handleAuthError(error) {
  if (error.status === 401) {
    showLogin('Your session has ended; please log in again.');
    return true;
  }
  return false;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const session = await api.login($('login-name').value, $('login-password').value);
    $('login-password').value = '';
    showApp(session);
  } catch (error) {
    $('login-error').textContent = error.message;
    $('login-password').select();
  } finally {
    button.disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await api.logout();
  } catch {
    // The session is gone either way on this side.
  }
  closeDetail({ updateUrl: false });
  showLogin('You are logged out.');
});

// ---------------------------------------------------------------- filters, sort, pages

function syncFiltersForm(view) {
  $('filter-status').value = view.status ?? '';
  $('filter-category').value = view.category ?? '';
  $('filter-channel').value = view.channel ?? '';
  $('filter-team').value = view.team ?? '';
  $('filter-assignee').value = view.assignee ?? '';
  $('filter-priority').value = view.priority ?? '';
  $('filter-overdue').checked = view.overdue === 'true';
  $('filter-q').value = view.q ?? '';
  const sort = view.sort ?? DEFAULT_SORT;
  for (const th of document.querySelectorAll('th[data-sort]')) {
    const key = th.dataset.sort;
    if (!sort.endsWith(key)) { th.setAttribute('aria-sort', 'none'); continue; }
    th.setAttribute('aria-sort', sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : 'none');
  }
}

function filtersFromForm() {
  return {
    status: $('filter-status').value,
    category: $('filter-category').value.trim(),
    channel: $('filter-channel').value,
    team: $('filter-team').value.trim(),
    assignee: $('filter-assignee').value.trim(),
    priority: $('filter-priority').value,
    overdue: $('filter-overdue').checked ? 'true' : '',
    q: $('filter-q').value.trim(),
    cursor: '',
  };
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(filtersFromForm());
});
$('filters').addEventListener('change', (event) => {
  if (event.target.matches('select, input[type=checkbox]')) navigate(filtersFromForm());
});
$('filters-clear').addEventListener('click', () => {
  navigate(Object.fromEntries([...FILTER_KEYS, 'cursor'].map((key) => [key, ''])));
});

for (const button of document.querySelectorAll('button.sort')) {
  button.addEventListener('click', () => {
    const key = button.dataset.sort;
    const current = viewFromUrl().sort ?? DEFAULT_SORT;
    // Created starts newest first, due starts soonest first; a second click flips it.
    // Priority sorts one way only (urgent first).
    if (key === 'priority') { navigate({ sort: '-priority', cursor: '' }); return; }
    const first = key === 'created_at' ? `-${key}` : key;
    const flipped = first.startsWith('-') ? key : `-${key}`;
    navigate({ sort: current === first ? flipped : first, cursor: '' });
  });
}

$('page-first').addEventListener('click', () => navigate({ cursor: '' }));
$('page-next').addEventListener('click', () => {
  if (state.page?.next_cursor) navigate({ cursor: state.page.next_cursor });
});

window.addEventListener('popstate', () => {
  if (state.session) showView(viewFromUrl());
});

$('view-queue').addEventListener('click', () => navigate({ view: '', handoff: '' }));
$('view-handoffs').addEventListener('click', () => navigate({ view: 'handoffs' }));

// ---------------------------------------------------------------- the queue

/** Loads the current view's page; `fresh` for a navigation, not for a poll. */
async function loadQueue({ fresh }) {
  const generation = fresh ? ++state.generation : state.generation;
  if (!fresh && state.loading) { state.reloadAgain = true; return; }
  state.loading = true;
  state.reloadAgain = false;
  const view = viewFromUrl();
  supervisor.setFilters(apiParams(view));
  try {
    const page = await api.listRequests(apiParams(view));
    if (generation !== state.generation || !state.session) return;
    $('queue-error').textContent = '';
    const key = JSON.stringify(page);
    $('queue-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (!fresh && key === state.pageKey) return;
    state.page = page;
    state.pageKey = key;
    renderQueue(page);
  } catch (error) {
    if (generation !== state.generation || handleAuthError(error)) return;
    $('queue-error').textContent = error.message;
  } finally {
    state.loading = false;
    // A change arrived while this answer was on its way: it may predate the change.
    if (state.reloadAgain && generation === state.generation) loadQueue({ fresh: false });
  }
}

function renderQueue(page) {
  const started = performance.now();
  const body = $('queue-body');
  const hadFocus = document.activeElement?.closest?.('#queue-body tr')?.dataset.id ?? null;
  const rows = document.createDocumentFragment();
  for (const item of page.items) {
    const row = el('tr');
    row.dataset.id = item.id;
    if (item.overdue) row.classList.add('overdue');
    if (item.id === state.selected) row.setAttribute('aria-current', 'true');
    const open = el('button', { className: 'open', text: item.id, attrs: { type: 'button' } });
    const due = el('td', { className: 'due' }, timeEl(item.due_at));
    if (item.overdue) due.append(el('span', { className: 'badge', text: 'overdue' }));
    const priority = el('td', { className: 'priority', text: item.priority ?? '' });
    if (item.priority === 'urgent' || item.priority === 'high') {
      // Marked by a symbol and weight as well as colour.
      row.classList.add(`priority-${item.priority}`);
      priority.prepend(el('span', { className: 'mark', text: item.priority === 'urgent' ? '▲▲ ' : '▲ ', attrs: { 'aria-hidden': 'true' } }));
    }
    row.append(
      el('td', { className: 'pick' }, bulk.checkbox(item.id)),
      el('td', {}, open),
      el('td', { text: humanStatus(item.status) }),
      priority,
      el('td', { text: item.category }),
      el('td', { text: item.team ?? '' }),
      el('td', { className: 'assignee', text: item.assignee ?? '' }),
      el('td', { className: 'address', text: item.address ?? '' }),
      el('td', {}, timeEl(item.created_at)),
      due,
    );
    rows.append(row);
    if (item.category) state.categories.add(item.category);
    if (item.team) state.teams.add(item.team);
    if (item.assignee) state.assignees.add(item.assignee);
  }
  const buildMs = performance.now() - started; // DOM construction, without layout
  body.replaceChildren(rows);
  if (page.items.length === 0) {
    body.append(el('tr', {}, el('td', { text: 'No requests match these filters.', attrs: { colspan: String(COLUMNS) } })));
  }
  bulk.pageShown(page.items.map((item) => item.id));
  void body.offsetHeight; // include layout in the measurement
  const ms = performance.now() - started;
  metrics.renders.push({ rows: page.items.length, ms, buildMs });
  metrics.lastRenderMs = ms;

  const total = page.total;
  $('queue-total').textContent =
    `${total} request${total === 1 ? '' : 's'}${page.items.length < total ? ` (showing ${page.items.length} on this page)` : ''}`;
  $('page-next').disabled = !page.next_cursor;
  $('page-first').disabled = !viewFromUrl().cursor;
  fillDatalist($('category-list'), state.categories);
  fillDatalist($('team-list'), state.teams);
  fillDatalist($('assignee-list'), state.assignees);
  if (hadFocus) rowById(hadFocus)?.querySelector('button.open')?.focus();
}

function rows() {
  return [...$('queue-body').querySelectorAll('tr[data-id]')];
}

function rowById(id) {
  return rows().find((row) => row.dataset.id === id) ?? null;
}

function select(id, { focus = true } = {}) {
  state.selected = id;
  for (const row of rows()) {
    if (row.dataset.id === id) {
      row.setAttribute('aria-current', 'true');
      row.scrollIntoView({ block: 'nearest' });
      if (focus) row.querySelector('button.open')?.focus();
    } else {
      row.removeAttribute('aria-current');
    }
  }
}

function moveSelection(delta) {
  const all = rows();
  if (all.length === 0) return;
  const index = all.findIndex((row) => row.dataset.id === state.selected);
  const next = index === -1 ? (delta > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + delta));
  select(all[next].dataset.id);
}

$('queue-body').addEventListener('click', (event) => {
  const row = event.target.closest('tr[data-id]');
  if (!row || event.target.closest('td.pick')) return; // the checkbox selects, it does not open
  select(row.dataset.id, { focus: false });
  openDetail(row.dataset.id, { updateUrl: true, focus: event.target.matches('button.open') });
});

// ---------------------------------------------------------------- the detail pane

async function openDetail(id, { updateUrl, focus }) {
  if (updateUrl) writeUrl({ ...viewFromUrl(), open: id }, { push: false });
  if (state.detail?.id !== id) {
    state.detail = null;
    state.detailKey = '';
    $('action-form').reset();
    $('action-error').textContent = '';
    $('action-done').textContent = '';
    editor.reset();
  }
  $('app').classList.add('with-detail');
  $('detail').hidden = false;
  await loadDetail(id);
  if (focus) $('detail-heading').focus();
}

function closeDetail({ updateUrl }) {
  state.detail = null;
  state.detailKey = '';
  $('detail').hidden = true;
  $('app').classList.remove('with-detail');
  if (updateUrl) {
    const view = viewFromUrl();
    delete view.open;
    writeUrl(view, { push: false });
  }
  if (state.selected) rowById(state.selected)?.querySelector('button.open')?.focus();
}

$('detail-close').addEventListener('click', () => closeDetail({ updateUrl: true }));

async function loadDetail(id) {
  try {
    const detail = await api.getRequest(id);
    if (viewFromUrl().open !== id || $('detail').hidden) return; // closed or moved on meanwhile
    $('detail-error').textContent = '';
    showDetail(detail);
  } catch (error) {
    if (handleAuthError(error)) return;
    $('detail-heading').textContent = id;
    $('detail-error').textContent = error.message;
  }
}

function showDetail(detail) {
  const key = JSON.stringify(detail);
  if (key === state.detailKey) return;
  editor.fill(detail);
  state.detail = detail;
  state.detailKey = key;
  $('detail-heading').textContent = `${detail.id} · ${humanStatus(detail.status)}`;

  const fields = [];
  const field = (label, ...value) => fields.push(el('dt', { text: label }), el('dd', {}, ...value));
  field('Status', humanStatus(detail.status));
  field('Category', detail.category ?? '');
  field('Priority', detail.priority ?? '');
  field('Team', detail.team ?? '—');
  field('Assignee', detail.assignee ?? 'unassigned');
  field('Address', detail.address ?? '—');
  if (detail.lat !== null && detail.lon !== null && detail.lat !== undefined) {
    const lat = Number(detail.lat), lon = Number(detail.lon);
    const map = el('a', {
      text: `${lat.toFixed(5)}, ${lon.toFixed(5)}`,
      attrs: { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`, rel: 'noopener noreferrer', target: '_blank' },
    });
    field('Coordinates', map);
  }
  field('Description', detail.description ?? '');
  for (const [name, value] of Object.entries(detail.attributes ?? {})) field(name, String(value));
  field('Channel', detail.channel ?? '');
  field('Created', timeEl(detail.created_at));
  field('Updated', timeEl(detail.updated_at));
  const due = [timeEl(detail.due_at)];
  if (detail.overdue) due.push(el('span', { className: 'badge', text: 'overdue' }));
  field('Due', ...due);
  field('Followers', String(detail.followers_count ?? 0));
  // What Open311 clients sent about the people who reported it: staff only, never public.
  for (const contact of detail.contacts ?? []) {
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
    const parts = [name, contact.email, contact.phone,
      contact.device_id && `device ${contact.device_id}`, contact.account_id && `account ${contact.account_id}`];
    field(contact.role === 'reporter' ? 'Reporter contact' : 'Follower contact', parts.filter(Boolean).join(' · '));
  }
  if (detail.duplicate_of) field('Duplicate of', detail.duplicate_of);
  $('detail-fields').replaceChildren(...fields);

  const photos = (detail.photos ?? []).map((raw, index) => {
    const url = safeUrl(raw);
    if (!url) return el('li', { text: String(raw) });
    const link = el('a', { attrs: { href: url.href, rel: 'noopener noreferrer', target: '_blank' } });
    if (url.origin === location.origin) {
      link.append(el('img', { attrs: { src: url.href, alt: `Photo ${index + 1}`, loading: 'lazy' } }));
    } else {
      // The page's CSP allows same-origin images only; others open in a new tab.
      link.textContent = `Photo ${index + 1} (${url.host})`;
    }
    return el('li', {}, link);
  });
  $('detail-photos').replaceChildren(...(photos.length ? photos : [el('li', { className: 'muted', text: 'None.' })]));

  $('detail-transcript').replaceChildren(...transcriptItems(detail.transcript,
    detail.transcript ? 'No messages.' : 'Not available for this role.'));

  const history = (detail.history ?? []).map((entry) => {
    const actor = entry.actor ? `${entry.actor.kind}${entry.actor.id ? ` ${entry.actor.id}` : ''}` : '';
    const item = el('li', {}, el('span', { className: 'meta' }, timeEl(entry.at), ` · ${actor}`));
    let change = entry.field ?? '';
    if (entry.field === 'status') change = `status: ${humanStatus(entry.old_value) || '—'} → ${humanStatus(entry.new_value)}`;
    else if (entry.new_value !== null && entry.new_value !== undefined && entry.field !== 'note') change += `: ${entry.old_value ?? '—'} → ${entry.new_value}`;
    item.append(el('span', { text: change }));
    if (entry.public_note) item.append(el('div', { text: `Public note: ${entry.public_note}` }));
    if (entry.internal_note) item.append(el('div', { text: `Internal note: ${entry.internal_note}` }));
    return item;
  });
  $('detail-history').replaceChildren(...(history.length ? history : [el('li', { className: 'muted', text: 'No changes yet.' })]));
}

$('action-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const detail = state.detail;
  if (!detail) return;
  const changes = {};
  const status = $('action-status').value;
  const publicNote = $('action-public').value.trim();
  const internalNote = $('action-internal').value.trim();
  if (status) changes.status = status;
  if (publicNote) changes.public_note = publicNote;
  if (internalNote) changes.internal_note = internalNote;
  $('action-error').textContent = '';
  $('action-done').textContent = '';
  if (Object.keys(changes).length === 0) {
    $('action-error').textContent = 'Choose a status or write a note.';
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const updated = await api.patchRequest(detail.id, changes);
    form.reset();
    showDetail(updated);
    $('action-done').textContent = status ? `Saved: now ${humanStatus(updated.status)}.` : 'Note saved.';
    loadQueue({ fresh: false });
  } catch (error) {
    if (!handleAuthError(error)) $('action-error').textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------- keyboard

document.addEventListener('keydown', (event) => {
  if (!state.session || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target.matches?.('input:not([type=checkbox]), textarea, select, [contenteditable]');
  if (event.key === 'Escape') {
    if (typing) target.blur();
    else if (!$('detail').hidden) closeDetail({ updateUrl: true });
    return;
  }
  if (typing) return;
  if (event.key === 'j') { event.preventDefault(); moveSelection(1); }
  else if (event.key === 'k') { event.preventDefault(); moveSelection(-1); }
  else if (event.key === 'Enter' && !target.matches?.('button, a')) {
    if (state.selected) { event.preventDefault(); openDetail(state.selected, { updateUrl: true, focus: true }); }
  } else if (event.key === 's' && !$('detail').hidden) {
    event.preventDefault();
    $('action-status').focus();
  } else if (event.key === 'a' && (!$('detail').hidden || state.selected)) {
    event.preventDefault();
    focusAssignee();
  } else if (event.key === 'x' && state.selected) {
    event.preventDefault();
    bulk.toggle(state.selected);
  }
});

/** `a`: the assignee control of the open request (opening the selected one first). */
async function focusAssignee() {
  if ($('detail').hidden || (state.selected && state.detail?.id !== state.selected && viewFromUrl().open !== state.selected)) {
    await openDetail(state.selected, { updateUrl: true, focus: false });
  }
  $('edit-assignee').focus();
  $('edit-assignee').select();
}

// ---------------------------------------------------------------- live updates

/** Refreshes what is on screen: the queue page, the open detail, the inbox. */
function refreshAll() {
  if (!state.session || document.hidden) return; // a background tab catches up when shown
  const view = viewFromUrl();
  if (view.view === 'handoffs') { handoffs.refresh(); return; }
  loadQueue({ fresh: false });
  if (view.open && !$('detail').hidden) loadDetail(view.open);
}

/** A burst of server events: the queue page always, the detail only when one was about it. */
function onLiveEvents(events) {
  if (!state.session || document.hidden) return;
  const view = viewFromUrl();
  if (view.view === 'handoffs') return;
  loadQueue({ fresh: false });
  const open = view.open;
  const about = (data) => [data?.tracking_id, data?.into, data?.duplicate_of].includes(open);
  if (open && !$('detail').hidden && events.some(about)) loadDetail(open);
}

document.addEventListener('visibilitychange', refreshAll);

// ---------------------------------------------------------------- the other modules

const context = {
  session: () => state.session,
  detail: () => state.detail,
  showDetail,
  refreshQueue: () => loadQueue({ fresh: false }),
  handleAuthError,
  openHandoff: (id) => navigate({ view: 'handoffs', handoff: id ? String(id) : '' }),
};
const bulk = createBulk(context);
const editor = createEditor(context);
const handoffs = createHandoffs(context);
const supervisor = createSupervisor(context);
const live = createLive({ onEvent: onLiveEvents, refresh: refreshAll, metrics });

// ---------------------------------------------------------------- start

(async () => {
  try {
    const session = await api.currentSession();
    if (!session) { showLogin(); return; }
    showApp(session);
  } catch (error) {
    showLogin(error.message);
  }
})();
