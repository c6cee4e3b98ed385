// A stand-in for libFuzzer's main, so that the fuzz targets also build and run with g++ and
// without sanitizers (the default test suite): it takes the libFuzzer options the tests use
// (`-runs=N`, `-seed=S`, `-max_len=N`; the others are ignored) and files or directories of
// inputs. It runs every input once, then N inputs made by mutating them (bit flips, interesting
// integers, erased, duplicated and inserted ranges, truncation, splices of two inputs) with a
// deterministic generator. Not coverage-guided: the `fuzz` preset links the same targets with
// libFuzzer for that.

#include "tests/fuzz/fuzz_input.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using input = std::vector<uint8_t>;

void read_inputs(const std::filesystem::path& path, std::vector<input>& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());  // the same order on every run
    for (const auto& f : files) read_inputs(f, out);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz driver: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class mutator {
 public:
  mutator(uint64_t seed, size_t max_len) : _gen(seed), _max_len(max_len) {}

  input mutate(const std::vector<input>& corpus) {
    input x = corpus.empty() ? input{} : corpus[below(corpus.size())];
    const size_t ops = 1 + below(4);
    for (size_t i = 0; i < ops; ++i) apply(x, corpus);
    if (x.size() > _max_len) x.resize(_max_len);
    return x;
  }

 private:
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(_gen() % n); }

  void apply(input& x, const std::vector<input>& corpus) {
    static constexpr uint64_t interesting[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                               0x7fffffff, 0x80000000, 0xffffffff,
                                               0x7fffffffffffffff, 0x8000000000000000,
                                               0xffffffffffffffff};
    switch (below(8)) {
      case 0:  // flip a bit
        if (!x.empty()) x[below(x.size())] ^= static_cast<uint8_t>(1u << below(8));
        break;
      case 1:  // a random byte
        if (!x.empty()) x[below(x.size())] = static_cast<uint8_t>(_gen());
        break;
      case 2: {  // an interesting big-endian integer of 1, 2, 4 or 8 bytes
        const size_t width = size_t{1} << below(4);
        if (x.size() < width) break;
        const uint64_t v = interesting[below(std::size(interesting))];
        const size_t at = below(x.size() - width + 1);
        for (size_t i = 0; i < width; ++i) x[at + i] = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
        break;
      }
      case 3: {  // erase a range
        if (x.empty()) break;
        const size_t at = below(x.size());
        const size_t n = 1 + below(std::min<size_t>(x.size() - at, 16));
        x.erase(x.begin() + static_cast<ptrdiff_t>(at), x.begin() + static_cast<ptrdiff_t>(at + n));
        break;
      }
      case 4: {  // insert random bytes
        const size_t at = below(x.size() + 1);
        const size_t n = 1 + below(8);
        input bytes(n);
        for (auto& b : bytes) b = static_cast<uint8_t>(_gen());
        x.insert(x.begin() + static_cast<ptrdiff_t>(at), bytes.begin(), bytes.end());
        break;
      }
      case 5: {  // duplicate a range
        if (x.empty()) break;
        const size_t from = below(x.size());
        const size_t n = 1 + below(std::min<size_t>(x.size() - from, 64));
        const input chunk(x.begin() + static_cast<ptrdiff_t>(from), x.begin() + static_cast<ptrdiff_t>(from + n));
        const size_t at = below(x.size() + 1);
        x.insert(x.begin() + static_cast<ptrdiff_t>(at), chunk.begin(), chunk.end());
        break;
      }
      case 6:  // truncate
        if (!x.empty()) x.resize(below(x.size()));
        break;
      default: {  // splice: a prefix of this input, a suffix of another
        if (corpus.empty()) break;
        const input& other = corpus[below(corpus.size())];
        const size_t keep = below(x.size() + 1);
        const size_t from = below(other.size() + 1);
        x.resize(keep);
        x.insert(x.end(), other.begin() + static_cast<ptrdiff_t>(from), other.end());
        break;
      }
    }
  }

  std::mt19937_64 _gen;
  size_t _max_len;
};

bool option(std::string_view arg, std::string_view name, uint64_t& value) {
  if (arg.substr(0, name.size()) != name) return false;
  value = std::strtoull(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t runs = 0;
  uint64_t seed = 1;
  uint64_t max_len = 0;
  std::vector<input> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (option(arg, "-runs=", runs) || option(arg, "-seed=", seed) || option(arg, "-max_len=", max_len)) continue;
    if (!arg.empty() && arg[0] == '-') continue;  // other libFuzzer options
    read_inputs(argv[i], corpus);
  }
  size_t longest = 0;
  for (const input& x : corpus) {
    LLVMFuzzerTestOneInput(x.data(), x.size());
    longest = std::max(longest, x.size());
  }
  if (max_len == 0) max_len = std::max<size_t>(4096, longest);
  mutator m(seed, static_cast<size_t>(max_len));
  for (uint64_t i = 0; i < runs; ++i) {
    const input x = m.mutate(corpus);
    LLVMFuzzerTestOneInput(x.data(), x.size());
  }
  std::printf("fuzz driver: %zu inputs, %llu mutated runs, no failure\n", corpus.size(),
              static_cast<unsigned long long>(runs));
  return 0;
}
