// nlp::understand on any bytes (invalid UTF-8, NULs, huge runs of one character), with the
// demo rule packs and each dialog expectation. Properties: never crashes, confidences stay in
// [0, 1], and every entity's byte span lies inside the text.

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "nlp/lexicon.hpp"
#include "nlp/understand.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

std::shared_ptr<const civicline::nlp::lexicon> demo_lexicon;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string dir = CIVICLINE_SOURCE_DIR "/config/nlp/";
  std::vector<civicline::nlp::rule_pack_source> packs{{"en.json", read_file(dir + "en.json")},
                                                      {"es.json", read_file(dir + "es.json")}};
  demo_lexicon = civicline::nlp::lexicon::compile(packs);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace civicline;
  if (size == 0) {
    return 0;
  }
  // The first byte picks the dialog's expectation and language hint; the rest is the message.
  nlp::context context;
  context.expecting = static_cast<nlp::expectation>(data[0] % 5);
  context.language_hint = data[0] & 0x80 ? nlp::language::es : nlp::language::en;
  if (context.expecting == nlp::expectation::choice) {
    context.choices = {"pothole", "streetlight", "check_status"};
  }
  const auto text = fuzz::as_text(data + 1, size - 1);
  const auto understood = nlp::understand(text, *demo_lexicon, context);
  CIVICLINE_FUZZ_CHECK(understood.intent_confidence >= 0.0 && understood.intent_confidence <= 1.0);
  for (const auto& entity : understood.entities) {
    CIVICLINE_FUZZ_CHECK(entity.begin <= entity.end && entity.end <= text.size());
  }
  (void)nlp::to_json(understood);
  return 0;
}
