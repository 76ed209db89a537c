// The public progress dashboard: reads /public/api/summary.json and draws the figures as text,
// tables and inline SVG charts. Everything is rendered with textContent and createElementNS;
// no HTML sink, no outside script.

const STRINGS = {
  en: {
    skip: "Skip to the figures", title: "311 progress",
    subtitle: "What the city does with the reports residents send, from its own records.",
    period_heading: "Choose the period", period_label: "Period", last_30: "Last 30 days", last_90: "Last 90 days",
    last_365: "Last 365 days", custom: "Custom range", from: "From", to: "To", show: "Show",
    headline_heading: "At a glance", received: "Requests received", closed: "Requests closed",
    still_open: "Received and still open", median_close: "Median time to close",
    on_time: "Closed within the target time", open_now: "Open today (all ages)",
    notes_heading: "What we changed", no_notes: "No notes yet.",
    trend_heading: "Week by week: received and closed",
    trend_caption: "Bars: requests received (dark) and closed (light) in each week of the period.",
    ontime_heading: "Week by week: closed within the target time",
    ontime_caption: "Share of the requests closed in each week that were closed by their category's target time.",
    table_summary: "The numbers as a table", categories_heading: "By kind of problem",
    backlog_heading: "Open requests by age",
    backlog_caption: "Requests open today, by how many days ago they were received.",
    channels_heading: "How residents reached us", data_heading: "Open data",
    data_text: "Every request, without any personal data (no names, phone numbers, e-mail addresses or descriptions; addresses to the block, locations to about 100 m):",
    summary_link_text: "(the figures on this page)",
    footer: "Times to close run from the report to its last close; a request that was reopened counts when it was closed again.",
    week: "Week of", category: "Kind of problem", target: "Target time", median_ack: "Median time to first response",
    p90_close: "90% closed within", share: "Share", bucket: "Age", open: "Open", channel: "Channel",
    count: "Requests", loading: "Loading…", loaded: "Figures updated.", failed: "The figures could not be loaded: ",
    period_text: (from, to) => `From ${from} to ${to} (UTC).`, days_label: (a, b) => b === null ? `${a} days or more` : `${a}–${b} days`,
    hours: (h) => `${h} h`, days: (d) => `${d} days`, none: "—",
    trend_label: "Requests received and closed per week", ontime_label: "Share closed within the target time per week",
    backlog_label: "Open requests by age",
    channels: { sms: "Text message (SMS)", web_chat: "Web chat", open311: "Open311 apps", staff: "Entered by staff", terminal: "Terminal" },
  },
  es: {
    skip: "Ir a las cifras", title: "Avance del 311",
    subtitle: "Lo que la ciudad hace con los reportes de los residentes, según sus propios registros.",
    period_heading: "Elija el periodo", period_label: "Periodo", last_30: "Últimos 30 días", last_90: "Últimos 90 días",
    last_365: "Últimos 365 días", custom: "Rango personalizado", from: "Desde", to: "Hasta", show: "Mostrar",
    headline_heading: "De un vistazo", received: "Solicitudes recibidas", closed: "Solicitudes cerradas",
    still_open: "Recibidas y aún abiertas", median_close: "Tiempo mediano de cierre",
    on_time: "Cerradas dentro del plazo", open_now: "Abiertas hoy (de cualquier antigüedad)",
    notes_heading: "Qué cambiamos", no_notes: "Aún no hay notas.",
    trend_heading: "Semana a semana: recibidas y cerradas",
    trend_caption: "Barras: solicitudes recibidas (oscuro) y cerradas (claro) en cada semana del periodo.",
    ontime_heading: "Semana a semana: cerradas dentro del plazo",
    ontime_caption: "Proporción de las solicitudes cerradas cada semana que se cerraron dentro del plazo de su categoría.",
    table_summary: "Las cifras en una tabla", categories_heading: "Por tipo de problema",
    backlog_heading: "Solicitudes abiertas por antigüedad",
    backlog_caption: "Solicitudes abiertas hoy, según cuántos días hace que se recibieron.",
    channels_heading: "Cómo nos contactaron", data_heading: "Datos abiertos",
    data_text: "Todas las solicitudes, sin datos personales (sin nombres, teléfonos, correos ni descripciones; direcciones por cuadra, ubicaciones a unos 100 m):",
    summary_link_text: "(las cifras de esta página)",
    footer: "El tiempo de cierre va del reporte a su último cierre; una solicitud reabierta cuenta cuando se volvió a cerrar.",
    week: "Semana del", category: "Tipo de problema", target: "Plazo", median_ack: "Tiempo mediano hasta la primera respuesta",
    p90_close: "El 90 % se cerró en", share: "Proporción", bucket: "Antigüedad", open: "Abiertas", channel: "Canal",
    count: "Solicitudes", loading: "Cargando…", loaded: "Cifras actualizadas.", failed: "No se pudieron cargar las cifras: ",
    period_text: (from, to) => `Del ${from} al ${to} (UTC).`, days_label: (a, b) => b === null ? `${a} días o más` : `${a}–${b} días`,
    hours: (h) => `${h} h`, days: (d) => `${d} días`, none: "—",
    trend_label: "Solicitudes recibidas y cerradas por semana", ontime_label: "Proporción cerrada dentro del plazo por semana",
    backlog_label: "Solicitudes abiertas por antigüedad",
    channels: { sms: "Mensaje de texto (SMS)", web_chat: "Chat web", open311: "Apps Open311", staff: "Ingresadas por el personal", terminal: "Terminal" },
  },
};

const SVG = "http://www.w3.org/2000/svg";
const params = new URLSearchParams(location.search);
const lang = (params.get("lang") || (navigator.language || "en")).slice(0, 2) === "es" ? "es" : "en";
const t = STRINGS[lang];
const numbers = new Intl.NumberFormat(lang);
const decimals = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

const $ = (id) => document.getElementById(id);

function el(name, text, attrs = {}) {
  const node = document.createElement(name);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function svg(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const formatCount = (n) => numbers.format(n);
const formatShare = (s) => (s === null ? t.none : percent.format(s));
function formatHours(h) {
  if (h === null) return t.none;
  return h < 48 ? t.hours(decimals.format(h)) : t.days(decimals.format(h / 24));
}
const day = (iso) => iso.slice(0, 10);

function translatePage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const text = t[node.dataset.i18n];
    if (typeof text === "string") node.textContent = text;
  }
  for (const link of document.querySelectorAll("[data-lang]")) {
    const next = new URLSearchParams(location.search);
    next.set("lang", link.dataset.lang);
    link.href = `?${next}`;
    if (link.dataset.lang === lang) link.setAttribute("aria-current", "true");
  }
}

function fillTable(table, headers, rows) {
  table.replaceChildren();
  const head = el("thead");
  const headRow = el("tr");
  for (const h of headers) headRow.append(el("th", h, { scope: "col" }));
  head.append(headRow);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(i === 0 ? el("th", cell, { scope: "row" }) : el("td", cell)));
    body.append(tr);
  }
  table.append(head, body);
}

/// A bar chart with a y axis, gridlines and x labels; `series` are drawn side by side.
function barChart(container, label, categories, series, { yFormat = formatCount } = {}) {
  const width = 720, height = 240, left = 48, bottom = 36, top = 12, right = 8;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  root.append(svg("title", {}, label));
  for (let v = 0; v <= yMax; v += step) {
    const y = top + plotH - (v / yMax) * plotH;
    root.append(svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, yFormat(v)));
  }
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.max(1, (groupW * 0.8) / series.length);
  const labelEvery = Math.ceil(categories.length / 12);
  categories.forEach((name, i) => {
    series.forEach((s, j) => {
      const h = (s.values[i] / yMax) * plotH;
      const x = left + i * groupW + groupW * 0.1 + j * barW;
      root.append(svg("rect", { x, y: top + plotH - h, width: barW, height: h, class: s.className }));
    });
    if (i % labelEvery === 0) {
      root.append(svg("text", { x: left + i * groupW + groupW / 2, y: height - bottom + 16, "text-anchor": "middle" }, name));
    }
  });
  root.append(svg("line", { x1: left, x2: left, y1: top, y2: top + plotH, class: "axis" }));
  root.append(svg("line", { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, class: "axis" }));
  container.replaceChildren(root);
}

function niceStep(max) {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return Math.max(m * power, max < 4 ? 1 : 0);
  return 10 * power;
}

/// A line chart of shares (0–100%), gaps where a week closed nothing with a target time.
function shareChart(container, label, categories, values) {
  const width = 720, height = 240, left = 48, bottom = 36, top = 12, right = 8;
  const plotW = width - left - right, plotH = height - top - bottom;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  root.append(svg("title", {}, label));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH - v * plotH;
    root.append(svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, percent.format(v)));
  }
  const stepX = plotW / Math.max(1, categories.length);
  const labelEvery = Math.ceil(categories.length / 12);
  let path = "";
  categories.forEach((name, i) => {
    const x = left + i * stepX + stepX / 2;
    const v = values[i];
    if (v !== null) {
      const y = top + plotH - v * plotH;
      path += `${path && values[i - 1] !== null ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)} `;
      root.append(svg("circle", { cx: x, cy: y, r: 3, class: "dot-ontime" }));
    }
    if (i % labelEvery === 0) {
      root.append(svg("text", { x, y: height - bottom + 16, "text-anchor": "middle" }, name));
    }
  });
  if (path) root.append(svg("path", { d: path.trim(), class: "line-ontime" }));
  root.append(svg("line", { x1: left, x2: left, y1: top, y2: top + plotH, class: "axis" }));
  root.append(svg("line", { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, class: "axis" }));
  container.replaceChildren(root);
}

function setHeadline(id, value, text) {
  const node = $(id);
  node.textContent = text;
  node.dataset.value = value === null ? "" : String(value);
}

function render(summary) {
  const totals = summary.totals;
  $("title").textContent = `${t.title} — ${summary.city}`;
  $("period-text").textContent = t.period_text(day(summary.period.from),
    day(new Date(Date.parse(summary.period.to) - 1).toISOString()));
  setHeadline("headline-received", totals.received, formatCount(totals.received));
  setHeadline("headline-closed", totals.closed, formatCount(totals.closed));
  setHeadline("headline-still-open", totals.still_open, formatCount(totals.still_open));
  setHeadline("headline-median", totals.median_hours_to_close, formatHours(totals.median_hours_to_close));
  setHeadline("headline-on-time", totals.on_time_share, formatShare(totals.on_time_share));
  setHeadline("headline-open-now", totals.open_now, formatCount(totals.open_now));

  const note = summary.notes[lang] || summary.notes.en || "";
  $("notes-text").textContent = note || t.no_notes;

  const weeks = summary.weekly.map((w) => day(w.week_start).slice(5));
  barChart($("trend-chart"), t.trend_label, weeks, [
    { values: summary.weekly.map((w) => w.received), className: "bar-received" },
    { values: summary.weekly.map((w) => w.closed), className: "bar-closed" },
  ]);
  fillTable($("trend-table"), [t.week, t.received, t.closed],
    summary.weekly.map((w) => [day(w.week_start), formatCount(w.received), formatCount(w.closed)]));

  shareChart($("ontime-chart"), t.ontime_label, weeks, summary.weekly.map((w) => w.on_time_share));
  fillTable($("ontime-table"), [t.week, t.closed, t.on_time, t.share],
    summary.weekly.map((w) => [day(w.week_start), formatCount(w.closed_with_sla), formatCount(w.closed_on_time), formatShare(w.on_time_share)]));

  fillTable($("categories-table"),
    [t.category, t.received, t.closed, t.still_open, t.median_close, t.p90_close, t.target, t.on_time, t.median_ack],
    summary.categories.map((c) => [
      c.name[lang] || c.name.en || c.code, formatCount(c.received), formatCount(c.closed), formatCount(c.still_open),
      formatHours(c.median_hours_to_close), formatHours(c.p90_hours_to_close),
      c.sla_hours === null ? t.none : formatHours(c.sla_hours), formatShare(c.on_time_share),
      formatHours(c.median_hours_to_first_ack),
    ]));

  const buckets = summary.backlog.map((b) => t.days_label(b.min_days, b.max_days));
  barChart($("backlog-chart"), t.backlog_label, buckets, [
    { values: summary.backlog.map((b) => b.open), className: "bar-backlog" },
  ]);
  fillTable($("backlog-table"), [t.bucket, t.open],
    summary.backlog.map((b, i) => [buckets[i], formatCount(b.open)]));

  fillTable($("channels-table"), [t.channel, t.count],
    summary.channels.map((c) => [t.channels[c.channel] || c.channel, formatCount(c.received)]));
}

function summaryUrl() {
  const query = new URLSearchParams();
  const period = $("period").value;
  if (period === "custom" && $("from").value && $("to").value) {
    query.set("from", $("from").value);
    query.set("to", $("to").value);
  } else if (period !== "custom") {
    query.set("period", period);
  }
  return `/public/api/summary.json?${query}`;
}

async function load() {
  const url = summaryUrl();
  $("summary-link").href = url;
  $("status").textContent = t.loading;
  try {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    render(body);
    $("status").textContent = t.loaded;
    document.body.dataset.loaded = "true";
  } catch (error) {
    $("status").textContent = t.failed + error.message;
  }
}

function syncUrl() {
  const next = new URLSearchParams(location.search);
  for (const key of ["period", "from", "to"]) next.delete(key);
  const period = $("period").value;
  if (period === "custom") {
    next.set("from", $("from").value);
    next.set("to", $("to").value);
  } else {
    next.set("period", period);
  }
  history.replaceState(null, "", `?${next}`);
}

translatePage();
if (params.get("from") && params.get("to")) {
  $("period").value = "custom";
  $("from").value = params.get("from");
  $("to").value = params.get("to");
} else if (["30", "90", "365"].includes(params.get("period"))) {
  $("period").value = params.get("period");
}
$("custom-range").hidden = $("period").value !== "custom";
$("period").addEventListener("change", () => {
  $("custom-range").hidden = $("period").value !== "custom";
  if ($("period").value !== "custom") {
    syncUrl();
    load();
  }
});
$("period-form").addEventListener("submit", (event) => {
  event.preventDefault();
  syncUrl();
  load();
});
load();
