// Small DOM helpers shared by the console's modules. Data reaches the page through
// textContent and setAttribute only, never through the HTML parser.

export const $ = (id) => document.getElementById(id);

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** A new element with an optional class, text, attributes and children. */
export function el(tag, { className, text, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (attrs) for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A <time> showing an ISO time in the user's locale, or a dash. */
export function timeEl(iso) {
  if (!iso) return el('span', { text: '—' });
  const date = new Date(iso);
  return el('time', { text: Number.isNaN(date.getTime()) ? iso : when.format(date), attrs: { datetime: iso } });
}

/** An http(s) URL for an href, or null: data must never become a javascript: link. */
export function safeUrl(raw) {
  try {
    const url = new URL(String(raw), location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

export function humanStatus(status) {
  return String(status ?? '').replaceAll('_', ' ');
}

/** Fills a <datalist> with sorted codes when the set grew. */
export function fillDatalist(list, codes) {
  if (list.children.length === codes.size) return;
  list.replaceChildren(...[...codes].sort().map((code) => el('option', { attrs: { value: code } })));
}

/** A transcript (oldest first) as list items: resident messages left, the bot's or staff's right. */
export function transcriptItems(messages, emptyText) {
  const items = (messages ?? []).map((message) => {
    const incoming = message.direction === 'in';
    const item = el('li', { className: incoming ? 'in' : 'out' });
    if (message.about_this_request === false) item.classList.add('other');
    item.append(
      el('span', { className: 'meta' }, `${incoming ? 'Resident' : 'civicline'} · `, timeEl(message.at)),
      el('span', { className: 'text', text: message.text ?? '' }),
    );
    return item;
  });
  return items.length ? items : [el('li', { className: 'muted', text: emptyText })];
}
