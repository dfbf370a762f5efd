#include "core/merkle.h"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "support/sandbox.h"

using namespace charta;
using core::merkle::Hash;

namespace {

// Every perfect subtree of the leaves, as a store of any kind would keep them.
struct Store {
  std::map<std::pair<unsigned, std::uint64_t>, Hash> nodes;
  core::merkle::Frontier frontier;

  void append(std::string_view entry) {
    frontier.append(core::merkle::leafHash(entry),
                    [&](unsigned level, std::uint64_t index, const Hash& h) {
                      nodes[{level, index}] = h;
                    });
  }
  core::merkle::PerfectHash perfect() const {
    return [this](unsigned level, std::uint64_t index) { return nodes.at({level, index}); };
  }
};

std::string joined(const std::vector<Hash>& hashes) {
  std::string out;
  for (const Hash& h : hashes) out += (out.empty() ? "" : ",") + core::merkle::toHex(h);
  return out;
}

std::vector<Hash> split(const std::string& text) {
  std::vector<Hash> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(*core::merkle::fromHex(item));
  return out;
}

}  // namespace

TEST_CASE(
    "Merkle tree: roots, inclusion and consistency proofs agree with RFC 9162's definitions") {
  constexpr int kN = 37;  // every shape of tree up to 2^5 + 5 leaves
  Store store;
  std::vector<Hash> roots{core::merkle::emptyRoot()};
  for (int i = 0; i < kN; ++i) {
    store.append("entry-" + std::to_string(i));
    roots.push_back(store.frontier.root());
  }
  // The oracle computes the same from the recursive definitions alone.
  std::string oracle = testing::sh("python3 " + std::string(CHARTA_SOURCE_DIR) +
                                   "/tests/core/merkle_oracle.py " + std::to_string(kN));
  std::istringstream lines(oracle);
  std::string kind;
  size_t checked = 0;
  while (lines >> kind) {
    if (kind == "root") {
      std::uint64_t size;
      std::string hex;
      lines >> size >> hex;
      CAPTURE(size);
      CHECK(core::merkle::toHex(roots[size]) == hex);
      CHECK(core::merkle::toHex(core::merkle::treeHash(size, store.perfect())) == hex);
    } else {
      std::uint64_t m, size;
      lines >> m >> size;
      std::string rest;
      std::getline(lines, rest);
      std::string expected = rest.size() > 1 ? rest.substr(1) : "";
      CAPTURE(kind);
      CAPTURE(m);
      CAPTURE(size);
      if (kind == "path") {
        auto proof = core::merkle::inclusionProof(m, size, store.perfect());
        CHECK(joined(proof) == expected);
        Hash leaf = core::merkle::leafHash("entry-" + std::to_string(m));
        CHECK(core::merkle::verifyInclusion(leaf, m, size, split(expected), roots[size]));
      } else {
        auto proof = core::merkle::consistencyProof(m, size, store.perfect());
        CHECK(joined(proof) == expected);
        CHECK(core::merkle::verifyConsistency(m, size, roots[m], roots[size], split(expected)));
      }
    }
    ++checked;
  }
  CHECK(checked > 1000);  // the oracle really ran
}

TEST_CASE("Merkle tree: every altered proof, root, index or size fails verification") {
  Store store;
  for (int i = 0; i < 21; ++i) store.append("entry-" + std::to_string(i));
  auto perfect = store.perfect();
  for (std::uint64_t size = 2; size <= 21; ++size) {
    Hash root = core::merkle::treeHash(size, perfect);
    for (std::uint64_t m = 0; m < size; ++m) {
      CAPTURE(size);
      CAPTURE(m);
      Hash leaf = core::merkle::leafHash("entry-" + std::to_string(m));
      auto proof = core::merkle::inclusionProof(m, size, perfect);
      REQUIRE(core::merkle::verifyInclusion(leaf, m, size, proof, root));
      CHECK_FALSE(core::merkle::verifyInclusion(leaf, (m + 1) % size, size, proof, root));
      CHECK_FALSE(core::merkle::verifyInclusion(leaf, m, size, proof,
                                                core::merkle::treeHash(size - 1, perfect)));
      for (size_t i = 0; i < proof.size(); ++i) {
        auto bad = proof;
        bad[i][i % 32] ^= 1;
        CHECK_FALSE(core::merkle::verifyInclusion(leaf, m, size, bad, root));
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        CHECK_FALSE(core::merkle::verifyInclusion(leaf, m, size, shorter, root));
      }
    }
    for (std::uint64_t first = 1; first < size; ++first) {
      Hash firstRoot = core::merkle::treeHash(first, perfect);
      auto proof = core::merkle::consistencyProof(first, size, perfect);
      CAPTURE(first);
      REQUIRE(core::merkle::verifyConsistency(first, size, firstRoot, root, proof));
      // A first tree whose last entry was rewritten is not extended by the second.
      Hash forged = firstRoot;
      forged[0] ^= 0x80;
      CHECK_FALSE(core::merkle::verifyConsistency(first, size, forged, root, proof));
      for (size_t i = 0; i < proof.size(); ++i) {
        auto bad = proof;
        bad[i][31] ^= 1;
        CHECK_FALSE(core::merkle::verifyConsistency(first, size, firstRoot, root, bad));
      }
    }
  }
}

TEST_CASE("Merkle tree: a frontier rebuilt from stored subtrees goes on as the original") {
  Store store;
  for (int i = 0; i < 1000; ++i) store.append("e" + std::to_string(i));
  for (std::uint64_t size : {1u, 2u, 3u, 16u, 17u, 999u, 1000u}) {
    auto f = core::merkle::Frontier::of(size, store.perfect());
    CHECK(f.size() == size);
    CHECK(f.root() == core::merkle::treeHash(size, store.perfect()));
  }
  auto f = core::merkle::Frontier::of(1000, store.perfect());
  f.append(core::merkle::leafHash("next"));
  store.append("next");
  CHECK(f.root() == store.frontier.root());
  CHECK(core::merkle::toHex(core::merkle::emptyRoot()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
