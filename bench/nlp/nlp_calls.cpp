// Calls nlp::understand a fixed number of times on the benchmark's messages, for counting
// instructions with callgrind (stable under any machine load, unlike timings):
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*nlp::understand*'
//       ./build/bench/bench/nlp_calls 1kb 200      (one command line)
//
// then divide the total by the number of calls. `1kb` is understand_1kb_latency's message,
// `typical` cycles through understand_typical's twelve. A few calls first warm the
// per-thread caches, as a running server's are; they are counted too (pass 0 to see them).

#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/nlp/bench_messages.hpp"
#include "nlp/understand.hpp"

using namespace civicline::nlp;

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "1kb" && std::string(argv[1]) != "typical")) {
    std::cerr << "usage: nlp_calls 1kb|typical COUNT\n";
    return 2;
  }
  const lexicon& lex = bench::demo_lexicon();
  const bool long_message = std::string(argv[1]) == "1kb";
  const std::string kilobyte = bench::one_kilobyte_message();
  const auto& typical = bench::typical_messages();
  const long count = std::atol(argv[2]);
  std::size_t entities = 0;
  for (long i = 0; i < count; ++i) {
    const std::string& text = long_message ? kilobyte : typical[i % typical.size()];
    entities += understand(text, lex).entities.size();
  }
  std::cout << count << " calls, " << entities << " entities\n";
  return 0;
}
