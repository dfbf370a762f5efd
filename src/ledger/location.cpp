#include "ledger/location.h"

#include "core/error.h"

namespace charta::ledger {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) {
      throw InvalidInput("ledger URI: truncated percent-escape");
    }
    int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
    if (hi < 0 || lo < 0) throw InvalidInput("ledger URI: bad percent-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.find('\0') != std::string::npos) throw InvalidInput("ledger URI: NUL in a value");
  return out;
}

// A libpq keyword/value pair with the value single-quoted.
void keyword(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += "='";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

bool isKeyword(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

std::string postgresConnInfo(std::string_view rest) {
  // rest: [user[:password]@][host][:port][/dbname][?query]
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  std::string_view userinfo;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  std::string_view host = rest, port;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) throw InvalidInput("ledger URI: unterminated [host]");
    std::string_view after = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!after.empty()) {
      if (after.front() != ':') throw InvalidInput("ledger URI: junk after [host]");
      port = after.substr(1);
    }
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }

  std::string out;
  if (!host.empty()) keyword(out, "host", percentDecode(host));
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535) {
      throw InvalidInput("ledger URI: bad port");
    }
    keyword(out, "port", port);
  }
  if (!userinfo.empty()) {
    auto colon = userinfo.find(':');
    keyword(out, "user", percentDecode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      keyword(out, "password", percentDecode(userinfo.substr(colon + 1)));
    }
  }
  if (!path.empty()) keyword(out, "dbname", percentDecode(path));
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) throw InvalidInput("ledger URI: query parameter without =");
    std::string key = percentDecode(pair.substr(0, eq));
    if (!isKeyword(key)) throw InvalidInput("ledger URI: bad query parameter name");
    keyword(out, key, percentDecode(pair.substr(eq + 1)));
  }
  return out;
}

}  // namespace

Location parseLocation(std::string_view uri) {
  if (uri.empty()) throw InvalidInput("ledger URI is empty");
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (uri.substr(0, scheme.size()) == scheme) {
      return {Location::Backend::kPostgresql, postgresConnInfo(uri.substr(scheme.size()))};
    }
  }
  std::string_view path = uri;
  if (uri.substr(0, 7) == "sqlite:") {
    path = uri.substr(7);
    if (path.substr(0, 2) == "//") path = path.substr(2);  // sqlite:///abs -> /abs
  } else if (auto colon = uri.find("://"); colon != std::string_view::npos) {
    throw InvalidInput("ledger URI: unknown scheme (use sqlite: or postgresql://)");
  }
  if (path.empty()) throw InvalidInput("ledger URI: empty SQLite path");
  if (path.find('\0') != std::string_view::npos) throw InvalidInput("ledger URI: NUL in path");
  return {Location::Backend::kSqlite, std::string(path)};
}

}  // namespace charta::ledger
