// The staff console: login, the queue (filters and sort kept in the URL, server-side pages),
// the detail pane with its actions, keyboard shortcuts, and polling for changes.
// Every piece of request or resident data reaches the page through textContent or a
// checked attribute, never through HTML parsing.
import * as api from './api.js';

const POLL_MS = 3000;
const OPEN_STATUSES = 'new,acknowledged,in_progress,reopened';
const FILTER_KEYS = ['status', 'category', 'channel', 'overdue', 'q'];
const DEFAULT_SORT = '-created_at';

const $ = (id) => document.getElementById(id);
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** What the console knows; the URL is the source of truth for the view. */
const state = {
  session: null,
  page: null,          // the last queue answer
  pageKey: '',         // its serialisation, to skip re-rendering an unchanged poll
  selected: null,      // tracking id of the highlighted row
  detail: null,
  detailKey: '',
  generation: 0,       // bumps on every navigation; stale answers are dropped
  loading: false,
  pollTimer: null,
  categories: new Set(),
};

/** Measurements the browser test reads. */
const metrics = { renders: [] };
window.civiclineConsole = metrics;

// ---------------------------------------------------------------- small DOM helpers

function el(tag, { className, text, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (attrs) for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function timeEl(iso) {
  if (!iso) return el('span', { text: '—' });
  const date = new Date(iso);
  return el('time', { text: Number.isNaN(date.getTime()) ? iso : when.format(date), attrs: { datetime: iso } });
}

/** An http(s) URL for an href, or null: data must never become a javascript: link. */
function safeUrl(raw) {
  try {
    const url = new URL(String(raw), location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

function humanStatus(status) {
  return String(status ?? '').replaceAll('_', ' ');
}

// ---------------------------------------------------------------- URL state

function viewFromUrl() {
  const params = new URLSearchParams(location.search);
  const view = {};
  for (const key of [...FILTER_KEYS, 'sort', 'cursor', 'limit', 'open']) {
    const value = params.get(key);
    if (value) view[key] = value;
  }
  return view;
}

function writeUrl(view, { push }) {
  const params = new URLSearchParams();
  for (const key of [...FILTER_KEYS, 'sort', 'limit', 'cursor', 'open']) {
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
  for (const key of ['category', 'channel', 'q', 'sort', 'limit', 'cursor']) {
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
  syncFiltersForm(view);
  loadQueue({ fresh: true });
}

// ---------------------------------------------------------------- login and logout

function showLogin(message = '') {
  stopPolling();
  state.session = null;
  state.page = null;
  state.pageKey = '';
  state.detail = null;
  state.detailKey = '';
  $('app').hidden = true;
  $('who').hidden = true;
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
  $('who-name').textContent = `${session.user} (${session.role})`;
  syncFiltersForm(viewFromUrl());
  loadQueue({ fresh: true });
  startPolling();
  const open = viewFromUrl().open;
  if (open) {
    state.selected = open;
    openDetail(open, { updateUrl: false, focus: false });
  }
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
  $('filter-overdue').checked = view.overdue === 'true';
  $('filter-q').value = view.q ?? '';
  const sort = view.sort ?? DEFAULT_SORT;
  for (const th of document.querySelectorAll('th[data-sort]')) {
    const key = th.dataset.sort;
    th.setAttribute('aria-sort', sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : 'none');
  }
}

function filtersFromForm() {
  return {
    status: $('filter-status').value,
    category: $('filter-category').value.trim(),
    channel: $('filter-channel').value,
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
  navigate({ status: '', category: '', channel: '', overdue: '', q: '', cursor: '' });
});

for (const button of document.querySelectorAll('button.sort')) {
  button.addEventListener('click', () => {
    const key = button.dataset.sort;
    const current = viewFromUrl().sort ?? DEFAULT_SORT;
    // Created starts newest first, due starts soonest first; a second click flips it.
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
  if (!state.session) return;
  const view = viewFromUrl();
  syncFiltersForm(view);
  loadQueue({ fresh: true });
  if (view.open) openDetail(view.open, { updateUrl: false, focus: false });
  else closeDetail({ updateUrl: false });
});

// ---------------------------------------------------------------- the queue

/** Loads the current view's page; `fresh` for a navigation, not for a poll. */
async function loadQueue({ fresh }) {
  const generation = fresh ? ++state.generation : state.generation;
  if (!fresh && state.loading) return;
  state.loading = true;
  try {
    const page = await api.listRequests(apiParams(viewFromUrl()));
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
    row.append(
      el('td', {}, open),
      el('td', { text: humanStatus(item.status) }),
      el('td', { text: item.category }),
      el('td', { className: 'address', text: item.address ?? '' }),
      el('td', {}, timeEl(item.created_at)),
      due,
    );
    rows.append(row);
    if (item.category) state.categories.add(item.category);
  }
  body.replaceChildren(rows);
  if (page.items.length === 0) {
    body.append(el('tr', {}, el('td', { text: 'No requests match these filters.', attrs: { colspan: '6' } })));
  }
  void body.offsetHeight; // include layout in the measurement
  const ms = performance.now() - started;
  metrics.renders.push({ rows: page.items.length, ms });
  metrics.lastRenderMs = ms;

  const total = page.total;
  $('queue-total').textContent =
    `${total} request${total === 1 ? '' : 's'}${page.items.length < total ? ` (showing ${page.items.length} on this page)` : ''}`;
  $('page-next').disabled = !page.next_cursor;
  $('page-first').disabled = !viewFromUrl().cursor;
  const list = $('category-list');
  if (list.children.length !== state.categories.size) {
    list.replaceChildren(...[...state.categories].sort().map((code) => el('option', { attrs: { value: code } })));
  }
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
  if (!row) return;
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
  state.detail = detail;
  state.detailKey = key;
  $('detail-heading').textContent = `${detail.id} · ${humanStatus(detail.status)}`;

  const fields = [];
  const field = (label, ...value) => fields.push(el('dt', { text: label }), el('dd', {}, ...value));
  field('Status', humanStatus(detail.status));
  field('Category', detail.category ?? '');
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

  const transcript = (detail.transcript ?? []).map((message) => {
    const incoming = message.direction === 'in';
    const item = el('li', { className: incoming ? 'in' : 'out' });
    if (!message.about_this_request) item.classList.add('other');
    item.append(
      el('span', { className: 'meta' }, `${incoming ? 'Resident' : 'civicline'} · `, timeEl(message.at)),
      el('span', { className: 'text', text: message.text ?? '' }),
    );
    return item;
  });
  $('detail-transcript').replaceChildren(...(transcript.length ? transcript
    : [el('li', { className: 'muted', text: detail.transcript ? 'No messages.' : 'Not available for this role.' })]));

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
  const typing = target.matches?.('input, textarea, select, [contenteditable]');
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
  }
});

// ---------------------------------------------------------------- polling

/** The server has no push channel yet, so the console asks every few seconds. */
function startPolling() {
  stopPolling();
  state.pollTimer = setInterval(() => {
    if (!state.session || document.hidden) return; // a background tab catches up when shown
    loadQueue({ fresh: false });
    const open = viewFromUrl().open;
    if (open && !$('detail').hidden) loadDetail(open);
  }, POLL_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden || !state.session) return;
  loadQueue({ fresh: false });
  const open = viewFromUrl().open;
  if (open && !$('detail').hidden) loadDetail(open);
});

function stopPolling() {
  if (state.pollTimer) clearInterval(state.pollTimer);
  state.pollTimer = null;
}

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
