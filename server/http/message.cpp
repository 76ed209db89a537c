#include "server/http/message.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace civicline::server {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::string_view> header_fields::get(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (iequals(field, name)) {
      return value;
    }
  }
  return std::nullopt;
}

void header_fields::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void header_fields::set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const auto& field) { return iequals(field.first, name); });
  fields_.emplace_back(std::move(name), std::move(value));
}

http_response json_response(int status, std::string json_body) {
  return text_response(status, "application/json", std::move(json_body));
}

http_response private_json_response(int status, std::string json_body) {
  auto response = json_response(status, std::move(json_body));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http_response text_response(int status, std::string content_type, std::string body) {
  http_response response;
  response.status = status;
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

http_response error_response(int status, std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // Replace invalid UTF-8 (for example echoed from a hostile request) instead of throwing.
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string_view error_code_for(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 409:
      return "conflict";
    case 411:
      return "length_required";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "unprocessable_entity";
    case 426:
      return "upgrade_required";
    case 429:
      return "too_many_requests";
    case 431:
      return "request_header_fields_too_large";
    case 500:
      return "internal_error";
    case 503:
      return "service_unavailable";
    default:
      return status >= 500 ? "server_error" : "client_error";
  }
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

bool has_content_type(const http_request& request, std::string_view media_type) {
  const auto value = request.headers.get("Content-Type");
  if (!value) {
    return false;
  }
  std::string_view type = value->substr(0, value->find(';'));
  while (!type.empty() && type.back() == ' ') {
    type.remove_suffix(1);
  }
  return iequals(type, media_type);
}

}  // namespace civicline::server
