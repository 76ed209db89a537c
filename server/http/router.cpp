#include "server/http/router.hpp"

#include <algorithm>
#include <boost/url/pct_string_view.hpp>

namespace civicline::server {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<std::string> decode_segment(std::string_view encoded) {
  auto checked = boost::urls::make_pct_string_view(encoded);
  if (!checked) {
    return std::nullopt;
  }
  return checked->decode();
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return segments;
}

std::string_view to_string(route_access access) {
  switch (access) {
    case route_access::undeclared:
      return "undeclared";
    case route_access::open:
      return "public";
    case route_access::provider_signature:
      return "provider_signature";
    case route_access::chat_session:
      return "chat_session";
    case route_access::any_caller:
      return "any_caller";
    case route_access::staff:
      return "staff";
    case route_access::supervisor:
      return "supervisor";
    case route_access::admin:
      return "admin";
    case route_access::partner:
      return "partner";
  }
  return "undeclared";
}

void router::add(std::string method, std::string pattern, route_access access, handler h) {
  route r{std::move(method), std::move(pattern), access, {}, std::move(h)};
  for (auto segment : split_path(r.pattern)) {
    r.segments.emplace_back(segment);
  }
  routes_.push_back(std::move(r));
}

void router::set_fallback(handler h) {
  fallback_ = std::move(h);
}

void router::set_failure_answer(failure_answer answer) {
  failure_answer_ = std::move(answer);
}

boost::asio::awaitable<http_response> router::handle(http_request& request) const {
  const auto segments = split_path(request.path);
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  std::vector<std::string> allowed;
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) {
      continue;
    }
    std::map<std::string, std::string, std::less<>> params;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      if (is_parameter(r.segments[i])) {
        auto decoded = decode_segment(segments[i]);
        if (!decoded) {
          co_return error_response(400, "bad_request", "The path is not valid percent-encoding.");
        }
        matches = !decoded->empty();
        params.emplace(r.segments[i].substr(1, r.segments[i].size() - 2), std::move(*decoded));
      } else {
        matches = r.segments[i] == segments[i];
      }
    }
    if (!matches) {
      continue;
    }
    if (r.method != method) {
      allowed.push_back(r.method);
      continue;
    }
    request.route = r.pattern;
    request.path_params = std::move(params);
    std::exception_ptr failure;
    std::optional<http_response> answer;
    try {
      auto handled = r.h(request);  // named: GCC 12 destroys temporaries in a co_await twice
      co_return co_await std::move(handled);
    } catch (const std::exception& error) {
      failure = std::current_exception();
      if (failure_answer_) {
        answer = failure_answer_(error, request);
      }
    }
    if (!answer) {
      std::rethrow_exception(failure);  // the server answers 500 and logs it
    }
    co_return std::move(*answer);
  }
  if (!allowed.empty()) {
    if (std::ranges::find(allowed, "GET") != allowed.end()) {
      allowed.emplace_back("HEAD");
    }
    std::string allow;
    for (const auto& m : allowed) {
      allow += (allow.empty() ? "" : ", ") + m;
    }
    auto response = error_response(405, "method_not_allowed",
                                   request.method + " is not allowed here; use " + allow + ".");
    response.headers.set("Allow", allow);
    request.route = "(method not allowed)";
    co_return response;
  }
  if (fallback_ && method == "GET") {
    request.route = "(static)";
    co_return co_await fallback_(request);
  }
  request.route = "(unmatched)";
  co_return error_response(404, "not_found", "Nothing is served at this path.");
}

std::vector<route_info> router::routes() const {
  std::vector<route_info> out;
  for (const auto& r : routes_) {
    out.push_back({r.method, r.pattern, r.access});
  }
  return out;
}

}  // namespace civicline::server
