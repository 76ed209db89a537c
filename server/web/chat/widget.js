// civicline's embeddable chat widget. One tag on any page:
//   <script src="https://city.example/chat/widget.js" data-lang="auto" async></script>
// It draws a launcher button and a chat panel inside a Shadow DOM (the host page's CSS cannot
// reach in), talks to POST /chat/api/messages, and receives the transcript over the
// WebSocket /chat/ws (long-poll GET /chat/api/messages?wait=25 when WebSockets fail).
// Every text is set with textContent: nothing from the server or the visitor is parsed as HTML.
(() => {
  'use strict';
  const script = document.currentScript || document.querySelector('script[src*="/chat/widget.js"]');
  if (!script || window.civiclineChat) return;
  const base = new URL('.', script.src);             // https://city.example/chat/
  const origin = base.origin;
  const crossSite = origin !== location.origin;      // another site embeds us: header sessions
  const sessionKey = 'civicline_chat_session';

  const strings = {
    en: {
      open: 'Chat with the city', title: 'City 311 chat', close: 'Close chat',
      language: 'Language', message: 'Your message', send: 'Send',
      placeholder: 'Describe a problem or type a report number',
      locate: 'Use my location', locating: 'Finding your location…',
      myLocation: 'My location', noLocation: 'Your location is not available. Type an address instead.',
      you: 'You', city: 'City', offline: 'Connection lost; retrying…',
      failed: 'The message was not sent. Please try again.',
      wait: "You're sending messages faster than we can answer. Please wait a minute, then try again.",
      choices: 'Quick replies', track: 'Status page for',
      photo: 'Add a photo', photoAdded: 'Photo added: it goes with your next message.',
      photoFailed: 'The photo was not added.',
      hello: 'Hi! Tell us about a problem (like "pothole at 55 N Center St") or type a report number.',
    },
    es: {
      open: 'Chatee con la ciudad', title: 'Chat 311 de la ciudad', close: 'Cerrar el chat',
      language: 'Idioma', message: 'Su mensaje', send: 'Enviar',
      placeholder: 'Describa un problema o escriba un número de reporte',
      locate: 'Usar mi ubicación', locating: 'Buscando su ubicación…',
      myLocation: 'Mi ubicación', noLocation: 'Su ubicación no está disponible. Escriba una dirección.',
      you: 'Usted', city: 'Ciudad', offline: 'Se perdió la conexión; reintentando…',
      failed: 'El mensaje no se envió. Inténtelo de nuevo.',
      wait: 'Está enviando mensajes más rápido de lo que podemos contestar. Espere un minuto y vuelva a escribir.',
      choices: 'Respuestas rápidas', track: 'Página de estado de',
      photo: 'Añadir una foto', photoAdded: 'Foto añadida: se envía con su próximo mensaje.',
      photoFailed: 'La foto no se añadió.',
      hello: '¡Hola! Cuéntenos de un problema (como "bache en 55 N Center St") o escriba un número de reporte.',
    },
  };
  const wanted = (script.dataset.lang || 'auto').toLowerCase();
  let lang = strings[wanted] ? wanted : ((navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en');
  const t = (key) => strings[lang][key];
  // The language goes to the server with the first message and after each switch only, so a
  // visitor who types "ESPAÑOL" (the dialog's own switch) is not switched back by the widget.
  let langToSend = lang;

  // --- the DOM: every node built by hand, text only -------------------------------------
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  };
  const host = el('div', { id: 'civicline-chat' });
  const root = host.attachShadow({ mode: 'open' });
  root.append(el('link', { rel: 'stylesheet', href: new URL('widget.css', base).href }));

  const launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'panel' });
  const launcherText = el('span');
  launcher.append(el('span', { class: 'bubble', 'aria-hidden': 'true' }), launcherText);

  const title = el('h2', { id: 'title' });
  const langSelect = el('select', { id: 'lang' },
    el('option', { value: 'en', lang: 'en' }, 'English'), el('option', { value: 'es', lang: 'es' }, 'Español'));
  const langLabel = el('label', { for: 'lang', class: 'visually-hidden' });
  const closeButton = el('button', { type: 'button', class: 'close' }, el('span', { 'aria-hidden': 'true' }, '×'));
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0', id: 'log' });
  const status = el('p', { class: 'status', role: 'status' });
  const input = el('input', { id: 'text', type: 'text', autocomplete: 'off', maxlength: '2000' });
  const inputLabel = el('label', { for: 'text', class: 'visually-hidden' });
  const sendButton = el('button', { type: 'submit', class: 'send' });
  const locateButton = el('button', { type: 'button', class: 'locate' });
  const photoButton = el('button', { type: 'button', class: 'photo' });
  // The file picker itself stays hidden; the button opens it, so it looks like the others.
  const photoInput = el('input', { type: 'file', accept: 'image/jpeg,image/png,image/heic,image/heif', hidden: '' });
  const tools = el('div', { class: 'tools' }, locateButton, photoButton, photoInput);
  const form = el('form', { class: 'compose' }, inputLabel, input, sendButton);
  const panel = el('section', { id: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: '' },
    el('header', {}, title, langLabel, langSelect, closeButton), log, status, tools, form);
  root.append(launcher, panel);

  function applyLanguage() {
    langSelect.value = lang;
    panel.setAttribute('lang', lang);
    launcher.setAttribute('lang', lang);
    launcherText.textContent = t('open');
    title.textContent = t('title');
    langLabel.textContent = t('language');
    closeButton.setAttribute('aria-label', t('close'));
    log.setAttribute('aria-label', t('title'));
    inputLabel.textContent = t('message');
    input.placeholder = t('placeholder');
    sendButton.textContent = t('send');
    locateButton.textContent = t('locate');
    photoButton.textContent = t('photo');
    photoInput.setAttribute('aria-label', t('photo'));
  }

  // --- the transcript ------------------------------------------------------------------
  let cursor = 0;              // the id of the newest message shown: everything up to it is here
  let hasSession = false;      // a conversation exists on the server
  let greeting = null;

  /** Appends `text` to `parent`, turning the tracking ids in it into links to /r/{id}. */
  function appendText(parent, text, ids) {
    // Replies end with the status page's address for SMS readers; here the id is the link.
    let rest = ids.length ? text.replace(/ https?:\/\/\S*\/r\/[\w-]+(?=\s|$)/g, '') : text;
    while (rest.length) {
      let first = -1, id = '';
      for (const candidate of ids) {
        const at = rest.indexOf(candidate);
        if (at >= 0 && (first < 0 || at < first)) { first = at; id = candidate; }
      }
      if (first < 0) { parent.append(rest); return; }
      parent.append(rest.slice(0, first));
      const link = el('a', { href: new URL('/r/' + encodeURIComponent(id), origin).href, target: '_blank', rel: 'noopener' }, id);
      link.setAttribute('aria-label', t('track') + ' ' + id);
      parent.append(link);
      rest = rest.slice(first + id.length);
    }
  }

  function addLines(messages) {
    for (const m of messages) {
      if (m.id <= cursor) continue;  // already shown (a push and a fetch may overlap)
      cursor = m.id;
      hasSession = true;
      if (greeting) { greeting.remove(); greeting = null; }
      const mine = m.from === 'visitor';
      const item = el('div', { class: 'msg ' + (mine ? 'mine' : 'theirs') });
      item.append(el('span', { class: 'visually-hidden' }, (mine ? t('you') : t('city')) + ': '));
      appendText(item, m.text, m.tracking_ids || []);
      log.append(item);
      for (const old of log.querySelectorAll('.choices')) old.remove();
      if (!mine && m.quick_replies && m.quick_replies.length) {
        const group = el('div', { class: 'choices', role: 'group', 'aria-label': t('choices') });
        for (const choice of m.quick_replies) {
          const button = el('button', { type: 'button' }, choice.label);
          button.setAttribute('aria-label', choice.value + ': ' + choice.label);
          // The buttons go when the answer arrives: keep the focus where typing goes on.
          button.addEventListener('click', () => { input.focus(); send(choice.value); });
          group.append(button);
        }
        log.append(group);
      }
    }
    log.scrollTop = log.scrollHeight;
  }

  function showNotice(text) {
    const item = el('div', { class: 'msg notice' }, text);
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  // --- talking to the server -----------------------------------------------------------
  const api = (path) => new URL(path, origin).href;
  function headers(extra = {}) {
    const token = crossSite ? localStorage.getItem(sessionKey) : null;
    return token ? { ...extra, 'X-Civicline-Chat-Session': token } : extra;
  }
  const credentials = crossSite ? 'omit' : 'same-origin';

  async function fetchAfter(wait = 0) {
    const res = await fetch(api(`/chat/api/messages?after=${cursor}` + (wait ? `&wait=${wait}` : '')),
      { headers: headers(), credentials, cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const body = await res.json();
    addLines(body.messages);
    return body.messages.length;
  }

  let sending = false;
  async function send(text, coords) {
    text = text.trim();
    if (!text || sending) return;
    sending = true;
    status.textContent = '';
    try {
      const body = { text };
      if (langToSend) body.lang = langToSend;
      if (pendingPhotos.length) body.attachments = pendingPhotos.slice();
      if (coords) { body.lat = coords.latitude; body.long = coords.longitude; }
      const res = await fetch(api('/chat/api/messages'), {
        method: 'POST', credentials, headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body),
      });
      const token = res.headers.get('X-Civicline-Chat-Session');
      if (token && crossSite) localStorage.setItem(sessionKey, token);
      if (res.status === 429) { showNotice(t('wait')); return; }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      hasSession = true;
      if (body.lang === langToSend) langToSend = null;
      if (body.attachments) pendingPhotos.splice(0, body.attachments.length);
      // The socket pushes the new lines; without it, fetch them now.
      if (!socketOpen) await fetchAfter();
      connect();
    } catch {
      status.textContent = t('failed');
    } finally {
      sending = false;
    }
  }

  // Photos: uploaded at once (the server checks type and size and says why it refuses one);
  // their ids go with the next message, which files them with the report.
  const pendingPhotos = [];
  photoButton.addEventListener('click', () => photoInput.click());
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = '';
    if (!file) return;
    try {
      const res = await fetch(api('/chat/api/attachments'), {
        method: 'POST', credentials, body: file,
        headers: headers({ 'Content-Type': file.type || 'image/jpeg' }),
      });
      const token = res.headers.get('X-Civicline-Chat-Session');
      if (token && crossSite) localStorage.setItem(sessionKey, token);
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) {
        showNotice(t('photoFailed') + (answer.error && answer.error.message ? ' ' + answer.error.message : ''));
        return;
      }
      hasSession = true;
      pendingPhotos.push(answer.id);
      showNotice(t('photoAdded') + ' (' + file.name + ')');
    } catch {
      showNotice(t('photoFailed'));
    }
  });

  // WebSocket pushes, resumed from the cursor; long-poll when the socket will not open.
  let socket = null, socketOpen = false, failures = 0, polling = false, retryTimer = 0, watchdog = 0;
  function connect() {
    if (socket || polling || !hasSession) return;
    const url = new URL(`/chat/ws?after=${cursor}`, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = crossSite ? localStorage.getItem(sessionKey) : null;
    if (token) url.searchParams.set('session', token);
    let opened = false;
    try { socket = new WebSocket(url.href); } catch { socket = null; return fallBack(); }
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => socket && socket.close(), 50000);  // the server beats every 20 s
    };
    socket.onopen = () => { opened = true; socketOpen = true; failures = 0; status.textContent = ''; alive(); };
    socket.onmessage = (event) => {
      alive();
      const data = JSON.parse(event.data);
      if (data.messages) addLines(data.messages);
    };
    socket.onclose = () => {
      clearTimeout(watchdog);
      socket = null;
      socketOpen = false;
      if (!opened && ++failures >= 2) return fallBack();
      if (opened) status.textContent = t('offline');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, Math.min(15000, 1000 * 2 ** failures));
    };
  }
  async function fallBack() {
    if (polling) return;
    polling = true;
    for (let pause = 1000; ;) {
      try { await fetchAfter(25); pause = 1000; status.textContent = ''; } catch {
        status.textContent = t('offline');
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(15000, pause * 2);
      }
    }
  }

  // --- behaviour -----------------------------------------------------------------------
  let loaded = false;
  async function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    input.focus();
    if (!loaded) {
      loaded = true;
      try {
        while ((await fetchAfter()) === 200);  // a long transcript comes in pages of 200
      } catch { status.textContent = t('offline'); }
      if (hasSession) langToSend = null;  // a returning visitor keeps the conversation's language
      if (!hasSession) {
        greeting = el('div', { class: 'msg theirs' }, t('hello'));
        log.append(greeting);
      }
      connect();
    }
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }
  launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
  closeButton.addEventListener('click', close);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close(); }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = '';
    send(text);
  });
  langSelect.addEventListener('change', () => {
    lang = langSelect.value;
    langToSend = lang;
    applyLanguage();
    if (greeting) greeting.textContent = t('hello');
  });
  locateButton.addEventListener('click', () => {
    if (!navigator.geolocation) { status.textContent = t('noLocation'); return; }
    status.textContent = t('locating');
    navigator.geolocation.getCurrentPosition(
      (position) => { status.textContent = ''; send(t('myLocation'), position.coords); },
      () => { status.textContent = t('noLocation'); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  applyLanguage();
  const attach = () => document.body.append(host);
  if (document.body) attach(); else document.addEventListener('DOMContentLoaded', attach);
  window.civiclineChat = { open, close };
})();
