// For supervisors and admins: a CSV export of the queue as filtered, and a stats panel
// (open requests by category and age, overdue) from GET /api/v1/stats.
import * as api from './api.js';
import { $, el } from './dom.js';

const AGES = ['0-2', '3-7', '8-30', '30+'];

export function createSupervisor(ctx) {
  let allowed = false;

  function setRole(role) {
    allowed = role === 'supervisor' || role === 'admin';
    $('csv-link').hidden = !allowed;
    $('stats').hidden = !allowed;
    if (!allowed) $('stats').open = false;
  }

  /** The export follows the queue's filters and sort (every matching request, no paging). */
  function setFilters(params) {
    const query = new URLSearchParams(params);
    query.delete('cursor');
    query.delete('limit');
    const text = query.toString();
    $('csv-link').href = `/api/v1/requests.csv${text ? `?${text}` : ''}`;
  }

  async function load() {
    try {
      const stats = await api.stats();
      $('stats-error').textContent = '';
      const head = el('tr', {}, ...['Category', 'Open', 'Overdue', ...AGES.map((a) => `${a} days`)]
        .map((name) => el('th', { text: name, attrs: { scope: 'col' } })));
      const rows = stats.by_category.map((c) => el('tr', {},
        el('th', { text: c.category, attrs: { scope: 'row' } }),
        el('td', { text: c.open }),
        el('td', { text: c.overdue }),
        ...AGES.map((a) => el('td', { text: c.age_days?.[a] ?? 0 }))));
      $('stats-body').replaceChildren(
        el('p', { text: `${stats.open} open, ${stats.overdue} overdue (as of ${new Date(stats.generated_at).toLocaleTimeString()}).` }),
        el('table', { className: 'stats-table' },
          el('caption', { text: 'Open requests by category and age' }),
          el('thead', {}, head), el('tbody', {}, ...rows)));
    } catch (error) {
      if (!ctx.handleAuthError(error)) $('stats-error').textContent = error.message;
    }
  }

  $('stats').addEventListener('toggle', () => {
    if ($('stats').open && allowed) load();
  });

  return { setRole, setFilters, load };
}
