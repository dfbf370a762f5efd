#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace charta::core::merkle {

// The Merkle tree of an append-only log, as Certificate Transparency defines it (RFC 9162,
// section 2.1), over SHA-256:
//
//   MTH({})      = SHA-256()                                    the empty tree
//   leaf hash    = SHA-256(0x00 || entry)                       one entry's bytes
//   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k: the largest power of 2 < n
//
// Any entry is proven to be in a tree head by an inclusion proof of about log2(n) hashes, and a
// later tree head is proven to extend an earlier one by a consistency proof of as many. Proofs
// are computed from the hashes of perfect subtrees (2^level leaves starting at index * 2^level),
// which the caller fetches from wherever it keeps them, so a proof never needs the whole log.
//
// Pure functions and values; safe for concurrent use.

using Hash = std::array<std::uint8_t, 32>;

Hash emptyRoot();                                    // SHA-256 of nothing
Hash leafHash(std::string_view entry);               // SHA-256(0x00 || entry)
Hash nodeHash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)

std::string toHex(const Hash& h);
std::optional<Hash> fromHex(std::string_view hex);  // 64 hex digits, either case

// The hash of the perfect subtree of 2^"level" leaves that starts at leaf "index" * 2^level.
// REQUIRES (of the caller of the functions below): the subtree lies within the tree asked about.
using PerfectHash = std::function<Hash(unsigned level, std::uint64_t index)>;

// MTH(D[start:start+size]) for a range the recursion of RFC 9162 reaches: "start" a multiple of
// the largest power of two <= "size" (every range of a tree of any size starting at 0 is).
Hash rangeHash(std::uint64_t start, std::uint64_t size, const PerfectHash& perfect);

// MTH(D[0:size]); emptyRoot() for size 0.
Hash treeHash(std::uint64_t size, const PerfectHash& perfect);

// PATH(index, D[0:size]) of RFC 9162 2.1.3.1, leaf to root. REQUIRES: index < size.
std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size,
                                 const PerfectHash& perfect);

// PROOF(first, D[0:second]) of RFC 9162 2.1.4.1. REQUIRES: 0 < first <= second. Empty when
// first == second.
std::vector<Hash> consistencyProof(std::uint64_t first, std::uint64_t second,
                                   const PerfectHash& perfect);

// The verification algorithms of RFC 9162 2.1.3.2 and 2.1.4.2: true when the proof holds.
bool verifyInclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root);
// A first tree of size 0 is consistent with any tree; equal sizes need equal roots and an
// empty proof.
bool verifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& firstRoot,
                       const Hash& secondRoot, const std::vector<Hash>& proof);

// The right edge of a growing tree: one perfect subtree per bit set in its size, which is all
// that appending and the root need (at most 64 hashes). Appending reports every perfect subtree
// it completes, so the caller can store the ones it keeps for proofs.
class Frontier {
 public:
  Frontier() = default;

  // The frontier of the tree of "size" leaves, from its perfect subtrees.
  static Frontier of(std::uint64_t size, const PerfectHash& perfect);

  // Appends a leaf hash; "completed" (may be empty) is called for the leaf itself (level 0) and
  // for every perfect subtree it completes, lowest level first.
  void append(
      const Hash& leaf,
      const std::function<void(unsigned level, std::uint64_t index, const Hash&)>& completed = {});

  std::uint64_t size() const { return size_; }
  Hash root() const;  // MTH of the leaves appended so far

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> stack_;  // perfect subtrees from the largest (left) to the smallest (right)
};

}  // namespace charta::core::merkle
