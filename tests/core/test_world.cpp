#include "test_world.hpp"

#include <algorithm>
#include <cstdio>

#include "core/location.hpp"

namespace civicline::core::testing {

std::optional<service_request> test_world::find_request(std::string_view tracking_id) const {
  const auto it = requests_.find(tracking_id);
  if (it == requests_.end())
    return std::nullopt;
  return it->second;
}

std::vector<service_request> test_world::followed_requests(std::size_t limit) const {
  std::vector<service_request> out;
  for (auto it = follow_order_.rbegin(); it != follow_order_.rend() && out.size() < limit; ++it) {
    out.push_back(requests_.at(*it));
  }
  return out;
}

bool test_world::follows(std::string_view tracking_id) const {
  return followed_.contains(tracking_id);
}

std::optional<service_request> test_world::find_duplicate(std::string_view category,
                                                          const location& where,
                                                          time_point now) const {
  for (const auto& [id, r] : requests_) {
    if (r.category == category && r.location.key == where.key && is_open(r.status) &&
        now - r.created_at < std::chrono::days(30)) {
      return r;
    }
  }
  return std::nullopt;
}

void test_world::put(service_request request, bool follow) {
  const std::string id = request.tracking_id;
  requests_[id] = std::move(request);
  if (follow && followed_.insert(id).second)
    follow_order_.push_back(id);
}

std::string test_world::apply(const action& a, time_point now) {
  if (const auto* create = std::get_if<create_request>(&a)) {
    char id[32];
    std::snprintf(id, sizeof id, "311-%06d", next_number++);
    service_request r;
    r.tracking_id = id;
    r.category = create->draft.category.value_or("other");
    if (create->draft.location)
      r.location = *create->draft.location;
    r.location.key = location_key(r.location.text);
    r.description = create->draft.description.value_or("");
    r.attributes = create->draft.answers;
    r.created_at = r.updated_at = now;
    put(r, true);
    return id;
  }
  if (const auto* follow = std::get_if<follow_request>(&a)) {
    if (auto r = find_request(follow->tracking_id))
      put(*r, true);
  }
  if (const auto* note = std::get_if<add_resident_note>(&a)) {
    notes.emplace_back(note->tracking_id, note->text);
  }
  return "";
}

}  // namespace civicline::core::testing
