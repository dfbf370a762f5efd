#include "core/merkle.h"

#include <bit>

#include "core/sha256.h"

namespace charta::core::merkle {
namespace {

// The largest power of two strictly below "n". REQUIRES: n >= 2.
std::uint64_t splitOf(std::uint64_t n) { return std::uint64_t{1} << (std::bit_width(n - 1) - 1); }

bool isPowerOfTwo(std::uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

unsigned log2Exact(std::uint64_t n) { return static_cast<unsigned>(std::countr_zero(n)); }

Hash digest(std::string_view bytes) { return sha256(bytes); }

std::string_view view(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

void inclusionPath(std::uint64_t index, std::uint64_t start, std::uint64_t size,
                   const PerfectHash& perfect, std::vector<Hash>& out) {
  if (size <= 1) return;
  const std::uint64_t k = splitOf(size);
  if (index < k) {
    inclusionPath(index, start, k, perfect, out);
    out.push_back(rangeHash(start + k, size - k, perfect));
  } else {
    inclusionPath(index - k, start + k, size - k, perfect, out);
    out.push_back(rangeHash(start, k, perfect));
  }
}

void consistencyPath(std::uint64_t first, std::uint64_t start, std::uint64_t size, bool whole,
                     const PerfectHash& perfect, std::vector<Hash>& out) {
  if (first == size) {
    if (!whole) out.push_back(rangeHash(start, size, perfect));
    return;
  }
  const std::uint64_t k = splitOf(size);
  if (first <= k) {
    consistencyPath(first, start, k, whole, perfect, out);
    out.push_back(rangeHash(start + k, size - k, perfect));
  } else {
    consistencyPath(first - k, start + k, size - k, false, perfect, out);
    out.push_back(rangeHash(start, k, perfect));
  }
}

// Shifts "fn" and "sn" right together until the lowest bit of "fn" is set or "fn" is 0.
void shiftUntilOdd(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash emptyRoot() { return digest(""); }

Hash leafHash(std::string_view entry) {
  std::string bytes;
  bytes.reserve(entry.size() + 1);
  bytes.push_back('\0');
  bytes.append(entry);
  return digest(bytes);
}

Hash nodeHash(const Hash& left, const Hash& right) {
  std::string bytes;
  bytes.reserve(65);
  bytes.push_back('\x01');
  bytes.append(view(left));
  bytes.append(view(right));
  return digest(bytes);
}

std::string toHex(const Hash& h) { return core::toHex(view(h)); }

std::optional<Hash> fromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash out{};
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (char c : hex.substr(2 * i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return std::nullopt;
      }
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

Hash rangeHash(std::uint64_t start, std::uint64_t size, const PerfectHash& perfect) {
  if (size == 0) return emptyRoot();
  if (isPowerOfTwo(size)) {
    const unsigned level = log2Exact(size);
    return perfect(level, start >> level);
  }
  const std::uint64_t k = splitOf(size);
  return nodeHash(rangeHash(start, k, perfect), rangeHash(start + k, size - k, perfect));
}

Hash treeHash(std::uint64_t size, const PerfectHash& perfect) {
  return rangeHash(0, size, perfect);
}

std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size,
                                 const PerfectHash& perfect) {
  std::vector<Hash> out;
  if (index < size) inclusionPath(index, 0, size, perfect, out);
  return out;
}

std::vector<Hash> consistencyProof(std::uint64_t first, std::uint64_t second,
                                   const PerfectHash& perfect) {
  std::vector<Hash> out;
  if (first > 0 && first <= second) consistencyPath(first, 0, second, true, perfect, out);
  return out;
}

bool verifyInclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = nodeHash(p, r);
      if ((fn & 1) == 0) shiftUntilOdd(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& firstRoot,
                       const Hash& secondRoot, const std::vector<Hash>& proof) {
  if (first > second) return false;
  if (first == 0) return proof.empty();
  if (first == second) return proof.empty() && firstRoot == secondRoot;
  if (proof.empty()) return false;
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (isPowerOfTwo(first)) path.push_back(firstRoot);
  path.insert(path.end(), proof.begin(), proof.end());
  std::uint64_t fn = first - 1;
  std::uint64_t sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path.front();
  Hash sr = path.front();
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1) == 0) shiftUntilOdd(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == firstRoot && sr == secondRoot && sn == 0;
}

Frontier Frontier::of(std::uint64_t size, const PerfectHash& perfect) {
  Frontier f;
  f.size_ = size;
  std::uint64_t offset = 0;
  for (int bit = 63; bit >= 0; --bit) {
    const std::uint64_t width = std::uint64_t{1} << bit;
    if ((size & width) == 0) continue;
    f.stack_.push_back(perfect(static_cast<unsigned>(bit), offset >> bit));
    offset += width;
  }
  return f;
}

void Frontier::append(
    const Hash& leaf,
    const std::function<void(unsigned level, std::uint64_t index, const Hash&)>& completed) {
  Hash carry = leaf;
  std::uint64_t index = size_;
  unsigned level = 0;
  if (completed) completed(level, index, carry);
  while ((size_ >> level) & 1) {
    carry = nodeHash(stack_.back(), carry);
    stack_.pop_back();
    ++level;
    index >>= 1;
    if (completed) completed(level, index, carry);
  }
  stack_.push_back(carry);
  ++size_;
}

Hash Frontier::root() const {
  if (stack_.empty()) return emptyRoot();
  Hash r = stack_.back();
  for (size_t i = stack_.size() - 1; i-- > 0;) r = nodeHash(stack_[i], r);
  return r;
}

}  // namespace charta::core::merkle
