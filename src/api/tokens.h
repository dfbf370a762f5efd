#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace charta::api {

// Who calls the API, as established from its bearer token.
struct Caller {
  std::string name;  // the token's name from configuration ("shop-checkout"); never a secret
  std::set<std::string> roles;
  bool authenticated = false;
  bool has(std::string_view role) const { return roles.count(std::string(role)) > 0; }
};

// The API bearer tokens, from configuration key auth.tokens: entries separated by ';' or new
// lines, each "name:role[+role...]:sha256hex" where sha256hex is the SHA-256 of the token
// (`charta token new` makes one). Roles: site (record consents), legal (publish, block), auditor
// (read subjects, verify). Only hashes are kept; comparison takes the same time whatever matches.
class TokenStore {
 public:
  TokenStore() = default;
  // throws InvalidInput: a malformed entry, an unknown role, a duplicate name or hash.
  static TokenStore parse(std::string_view spec);
  // The caller of "authorization" ("Bearer <token>"), or nullopt when the token is unknown or the
  // header malformed.
  std::optional<Caller> authenticate(std::string_view authorization) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::set<std::string> roles;
    std::string hash;  // 32 raw bytes
  };
  std::vector<Entry> entries_;
};

// A new random token ("charta_" and 32 characters of the base64url alphabet: 192 random bits)
// and the auth.tokens entry that holds its SHA-256 for "name" with "roles" ("site+legal").
// throws InvalidInput: an unknown role or a malformed name.
struct NewToken {
  std::string token;
  std::string entry;
};
NewToken newToken(const std::string& name, const std::string& roles);

// "s" without the spaces, tabs and carriage returns around it (header values, config entries).
std::string_view trimmed(std::string_view s);

}  // namespace charta::api
