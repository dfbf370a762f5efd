#include "api/tokens.h"

#include <random>

#include "core/error.h"
#include "core/sha256.h"
#include "core/words.h"

namespace charta::api {
namespace {

using core::iequals;

std::string sha256Raw(std::string_view bytes) {
  auto d = core::sha256(bytes);
  return std::string(d.begin(), d.end());
}

std::optional<std::string> unhex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < 64; i += 2) {
    auto v = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int h = v(hex[i]), l = v(hex[i + 1]);
    if (h < 0 || l < 0) return std::nullopt;
    out += static_cast<char>(h * 16 + l);
  }
  return out;
}

// Equal in time independent of where the bytes differ.
bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

TokenStore TokenStore::parse(std::string_view spec) {
  static const std::set<std::string> kRoles = {"site", "legal", "auditor"};
  TokenStore store;
  std::set<std::string> names, hashes;
  while (!spec.empty()) {
    size_t end = spec.find_first_of(";\n");
    std::string_view entry = trimmed(spec.substr(0, end));
    spec = end == std::string_view::npos ? std::string_view() : spec.substr(end + 1);
    if (entry.empty()) continue;
    size_t c1 = entry.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : entry.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      throw InvalidInput("auth.tokens: an entry must be name:role[+role]:sha256hex");
    }
    Entry e;
    e.name = std::string(trimmed(entry.substr(0, c1)));
    if (e.name.empty() || !names.insert(e.name).second) {
      throw InvalidInput("auth.tokens: empty or repeated token name \"" + e.name + "\"");
    }
    std::string_view roles = entry.substr(c1 + 1, c2 - c1 - 1);
    while (!roles.empty()) {
      size_t plus = roles.find('+');
      std::string role(trimmed(roles.substr(0, plus)));
      roles = plus == std::string_view::npos ? std::string_view() : roles.substr(plus + 1);
      if (!kRoles.count(role)) {
        throw InvalidInput("auth.tokens: unknown role \"" + role + "\" (site, legal, auditor)");
      }
      e.roles.insert(role);
    }
    auto raw = unhex(trimmed(entry.substr(c2 + 1)));
    if (!raw) throw InvalidInput("auth.tokens: token \"" + e.name + "\" needs a 64-hex SHA-256");
    if (!hashes.insert(*raw).second) throw InvalidInput("auth.tokens: two tokens share a hash");
    e.hash = *raw;
    store.entries_.push_back(std::move(e));
  }
  return store;
}

std::optional<Caller> TokenStore::authenticate(std::string_view authorization) const {
  authorization = trimmed(authorization);
  if (authorization.size() < 8 || !iequals(authorization.substr(0, 7), "Bearer "))
    return std::nullopt;
  std::string_view token = trimmed(authorization.substr(7));
  if (token.empty() || token.size() > 512) return std::nullopt;
  std::string hash = sha256Raw(token);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    if (constantTimeEquals(e.hash, hash)) found = &e;  // no early exit
  }
  if (!found) return std::nullopt;
  return Caller{found->name, found->roles, true};
}

NewToken newToken(const std::string& name, const std::string& roles) {
  std::random_device rd;
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(rd() & 0xff);
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "charta_";
  for (unsigned char b : raw) token += kAlphabet[b & 63];
  std::string entry = name + ":" + roles + ":" + core::sha256Hex(token);
  TokenStore::parse(entry);  // refuses an unknown role or a bad name now, not at start
  return NewToken{token, entry};
}

}  // namespace charta::api
