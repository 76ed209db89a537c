// Runs a fuzz target's LLVMFuzzerTestOneInput on files, without libFuzzer: so the seed corpus
// and every crash reproducer kept in tests/fuzz/regressions/ are ordinary tests in every build
// (GCC Release and ASan included), and a fixed crash stays fixed.
//
//   fuzz_replay_<target> FILE_OR_DIR...

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

int replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) {
    LLVMFuzzerInitialize(&argc, &argv);
  }
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) {
          inputs += replay(entry.path());
        }
      }
    } else if (std::filesystem::exists(path)) {
      inputs += replay(path);
    }
  }
  std::cout << "replayed " << inputs << " input(s) without a crash\n";
  return 0;
}
