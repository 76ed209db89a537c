#pragma once
// The messages and rule packs the NLP benchmarks share (nlp_bench, nlp_calls).

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nlp/lexicon.hpp"

namespace civicline::nlp::bench {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<rule_pack_source> demo_packs() {
  const std::string dir = std::string(CIVICLINE_SOURCE_DIR) + "/config/nlp/";
  return {{dir + "en.json", read_file(dir + "en.json")},
          {dir + "es.json", read_file(dir + "es.json")}};
}

inline const lexicon& demo_lexicon() {
  static const auto lex = lexicon::compile(demo_packs());
  return *lex;
}

// Typical resident messages, about 80 bytes each (written for this benchmark).
inline const std::vector<std::string>& typical_messages() {
  static const std::vector<std::string> messages = {
      "hi there's a huge pothole on main st near the school, almost blew my tire pls fix",
      "The streetlight in front of 1400 N Alma School Rd has been out for a week now!!",
      "what's the status of my report 311-004512? nobody has come out to look at it yet",
      "STOP",
      "thanks! also there's a dead raccoon in the road on 5th ave by the walmart",
      "hay un bache enorme en la calle Juárez esquina con Hidalgo, por favor arréglenlo",
      "someone dumped an old couch and a mattress in the alley behind 55 n center st",
      "neighbors blasting loud music every night after midnight, can't sleep 😡😡",
      "traffic light stuck on red at Mesa Dr and 8th Ave, cars running it all day long",
      "yes that's the right address 👍 please send someone as soon as possible thanks",
      "la luz de la calle no funciona desde hace dos semanas, está muy oscuro de noche",
      "graffiti all over the wall at emerald park, gang tags near the playground again",
  };
  return messages;
}

// The typical messages back to back, cut at 1,024 bytes (understand_1kb_latency's input).
inline std::string one_kilobyte_message() {
  std::string text;
  std::size_t i = 0;
  while (text.size() < 1024) {
    text += typical_messages()[i++ % typical_messages().size()];
    text += ' ';
  }
  return text.substr(0, 1024);
}

}  // namespace civicline::nlp::bench
