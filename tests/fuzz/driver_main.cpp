// Runs a fuzz target without libFuzzer: every argument is a file or a folder, and each regular
// file (a folder's files in name order) is given once to LLVMFuzzerTestOneInput. A folder that
// does not exist is skipped (a target has no regressions until something is found), but at least
// one input must be run. A failing input aborts the process, as it would under libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void runFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "fuzz driver: cannot read " << file << "\n";
    std::exit(2);
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::cerr << "running " << file.string() << " (" << bytes.size() << " bytes)\n";
  // A copy of exactly "size" bytes, so ASan sees a read past the end of the input.
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) runFile(f);
      runs += files.size();
    } else if (std::filesystem::is_regular_file(arg)) {
      runFile(arg);
      ++runs;
    }
  }
  if (runs == 0) {
    std::cerr << "fuzz driver: no input found\n";
    return 2;
  }
  std::cerr << "fuzz driver: " << runs << " inputs ran\n";
  return 0;
}
