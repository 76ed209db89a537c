#pragma once
// An in-memory world_view for the dialog tests. It also carries out the actions that
// change the world (create_request, follow_request, add_resident_note), so later turns
// see them, the way the inbox does against the database.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/dialog.hpp"

namespace civicline::core::testing {

class test_world : public world_view {
 public:
  std::optional<service_request> find_request(std::string_view tracking_id) const override;
  std::vector<service_request> followed_requests(std::size_t limit) const override;
  bool follows(std::string_view tracking_id) const override;
  std::optional<service_request> find_duplicate(std::string_view category, const location& where,
                                                time_point now) const override;

  /// Adds or replaces a request; `follow` makes this resident a follower.
  void put(service_request request, bool follow);
  /// Carries out one action; returns the tracking id of a created request, or "".
  std::string apply(const action& a, time_point now);

  int next_number = 123;
  std::vector<std::pair<std::string, std::string>> notes;  ///< tracking id, text

 private:
  std::map<std::string, service_request, std::less<>> requests_;
  std::set<std::string, std::less<>> followed_;
  std::vector<std::string> follow_order_;  ///< oldest first
};

}  // namespace civicline::core::testing
