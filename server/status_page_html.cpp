#include "server/status_page_html.hpp"

#include <array>

#include "channels/twiml.hpp"

namespace civicline::server {
namespace {

/// The page's own words, per language (the status words come from the reply templates).
struct page_words {
  std::string_view html_lang;
  std::string_view title;  ///< "Report {id}"
  std::string_view status;
  std::string_view category;
  std::string_view address;
  std::string_view reported;
  std::string_view updated;
  std::string_view closed;
  std::string_view last_note;
  std::string_view no_note;
  std::string_view timeline;
  std::string_view merged;  ///< before the original's link
  std::string_view photos;
  std::string_view photo_alt;
  std::string_view other_language;
  std::string_view not_found_title;
  std::string_view not_found_text;
  std::string_view privacy;
};

constexpr page_words english{
    "en",
    "Report",
    "Status",
    "Category",
    "Where",
    "Reported",
    "Last update",
    "Closed",
    "Latest note from the city",
    "No note from the city yet.",
    "What happened so far",
    "This report is the same problem as an earlier one. Follow the original:",
    "Photos",
    "Photo sent with the report",
    "Español",
    "We can't find that report",
    "Please check the number: it looks like 311-000123. You can also text it to us for an "
    "update.",
    "This page shows no personal details. The address is shown to the block."};

constexpr page_words spanish{
    "es",
    "Reporte",
    "Estado",
    "Categoría",
    "Dónde",
    "Reportado",
    "Cambio más reciente",
    "Cerrado",
    "Nota más reciente de la ciudad",
    "Aún no hay notas de la ciudad.",
    "Lo que ha pasado",
    "Este reporte es el mismo problema que uno anterior. Siga el original:",
    "Fotos",
    "Foto enviada con el reporte",
    "English",
    "No encontramos ese reporte",
    "Revise el número: se ve así: 311-000123. También puede enviárnoslo por mensaje para "
    "saber cómo va.",
    "Esta página no muestra datos personales. La dirección se muestra por cuadra."};

/// TwiML's escaping (& < > " ' and no control characters) is also right for HTML text and
/// quoted attribute values.
std::string escape_html(std::string_view text) {
  return channels::escape_xml_text(text);
}

const page_words& words_for(nlp::language lang) {
  return lang == nlp::language::es ? spanish : english;
}

nlp::language other(nlp::language lang) {
  return lang == nlp::language::es ? nlp::language::en : nlp::language::es;
}

/// "2026-11-28T13:45:00.000Z" -> "2026-11-28 13:45 UTC", inside a <time> element.
std::string time_element(std::string_view iso) {
  std::string shown(iso);
  if (iso.size() >= 16 && iso[10] == 'T') {
    shown = std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
  }
  return "<time datetime=\"" + escape_html(iso) + "\">" + escape_html(shown) + "</time>";
}

std::string page_head(const page_words& w, std::string_view title, std::string_view city_name) {
  std::string out;
  out += "<!doctype html>\n<html lang=\"";
  out += w.html_lang;
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex\">\n<title>";
  out += escape_html(title);
  out += " — ";
  out += escape_html(city_name);
  out +=
      "</title>\n<link rel=\"icon\" href=\"/favicon.ico\">\n"
      "<link rel=\"stylesheet\" href=\"/assets/status.css\">\n</head>\n<body>\n";
  return out;
}

std::string language_link(const page_words& w, nlp::language lang, std::string_view path) {
  const auto target = nlp::to_string(other(lang));
  std::string out = "<nav aria-label=\"Language\"><a href=\"";
  out += escape_html(path);
  out += "?lang=";
  out += target;
  out += "\" lang=\"";
  out += target;
  out += "\" hreflang=\"";
  out += target;
  out += "\">";
  out += w.other_language;
  out += "</a></nav>\n";
  return out;
}

void row(std::string& out, std::string_view label, const std::string& value_html) {
  out += "<dt>";
  out += label;
  out += "</dt><dd>";
  out += value_html;
  out += "</dd>\n";
}

}  // namespace

std::string render_status_page(const core::status_view& view, std::string_view city_name) {
  const page_words& w = words_for(view.lang);
  const std::string title = std::string(w.title) + " " + view.tracking_id;
  const std::string path = core::status_path(view.tracking_id);
  std::string out = page_head(w, title, city_name);
  out += "<header class=\"top\"><p class=\"city\">";
  out += escape_html(city_name);
  out += " 311</p>\n";
  out += language_link(w, view.lang, path);
  out += "</header>\n<main id=\"main\">\n<h1>";
  out += escape_html(title);
  out += "</h1>\n<p class=\"status status-";
  out += escape_html(view.status);
  out += "\"><span class=\"label\">";
  out += w.status;
  out += ":</span> <strong>";
  out += escape_html(view.status_text);
  out += "</strong></p>\n";
  if (view.duplicate_of) {
    out += "<p class=\"merged\">";
    out += w.merged;
    out += " <a href=\"";
    out += escape_html(core::status_path(*view.duplicate_of));
    out += "\">";
    out += escape_html(*view.duplicate_of);
    out += "</a></p>\n";
  }
  out += "<dl class=\"facts\">\n";
  row(out, w.category, escape_html(view.category_name));
  if (!view.address.empty()) {
    row(out, w.address, escape_html(view.address));
  }
  row(out, w.reported, time_element(view.created_at));
  row(out, w.updated, time_element(view.updated_at));
  if (view.closed_at) {
    row(out, w.closed, time_element(*view.closed_at));
  }
  out += "</dl>\n<section aria-labelledby=\"note-title\">\n<h2 id=\"note-title\">";
  out += w.last_note;
  out += "</h2>\n<p class=\"note\">";
  out += view.last_note.empty() ? std::string(w.no_note) : escape_html(view.last_note);
  out += "</p>\n</section>\n";
  if (!view.photos.empty()) {
    out += "<section aria-labelledby=\"photos-title\">\n<h2 id=\"photos-title\">";
    out += w.photos;
    out += "</h2>\n<ul class=\"photos\">\n";
    for (const auto& photo : view.photos) {
      out += "<li><img src=\"";
      out += escape_html(photo);
      out += "\" alt=\"";
      out += w.photo_alt;
      out += "\"></li>\n";
    }
    out += "</ul>\n</section>\n";
  }
  out += "<section aria-labelledby=\"timeline-title\">\n<h2 id=\"timeline-title\">";
  out += w.timeline;
  out += "</h2>\n<ol class=\"timeline\">\n";
  for (const auto& step : view.timeline) {
    out += "<li>";
    out += time_element(step.at);
    out += " <strong>";
    out += escape_html(step.status_text);
    out += "</strong>";
    if (!step.note.empty()) {
      out += "<p>";
      out += escape_html(step.note);
      out += "</p>";
    }
    out += "</li>\n";
  }
  out += "</ol>\n</section>\n</main>\n<footer><p>";
  out += w.privacy;
  out += " <a href=\"";
  out += escape_html(path);
  out += ".json\">JSON</a></p></footer>\n</body>\n</html>\n";
  return out;
}

std::string render_status_not_found(nlp::language lang, std::string_view city_name,
                                    std::string_view asked) {
  const page_words& w = words_for(lang);
  std::string out = page_head(w, w.not_found_title, city_name);
  out += "<header class=\"top\"><p class=\"city\">";
  out += escape_html(city_name);
  out += " 311</p>\n";
  out += language_link(w, lang, "/r/" + std::string(asked));
  out += "</header>\n<main id=\"main\">\n<h1>";
  out += w.not_found_title;
  out += "</h1>\n<p>";
  out += w.not_found_text;
  out += "</p>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace civicline::server
