// The configuration keys the code reads, the keys it knows (app/config.cpp: their defaults and
// environment variables) and the README's table are the same keys with the same defaults.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/config.h"
#include "support/sandbox.h"

using namespace charta;

namespace {

// The cells of a Markdown table row ("| a | b |" -> {"a", "b"}).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  size_t p = 1;
  while (p < line.size()) {
    size_t bar = line.find('|', p);
    if (bar == std::string::npos) break;
    std::string c = line.substr(p, bar - p);
    c.erase(0, c.find_first_not_of(' '));
    c.erase(c.find_last_not_of(' ') + 1);
    out.push_back(c);
    p = bar + 1;
  }
  return out;
}

// The `quoted` parts of a cell.
std::vector<std::string> codeSpans(const std::string& cell) {
  std::vector<std::string> out;
  static const std::regex code("`([^`]*)`");
  for (std::sregex_iterator it(cell.begin(), cell.end(), code), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

struct Documented {
  std::string defaultCell;                  // as written
  std::optional<std::string> defaultValue;  // when the cell names one value per key
};

// The README's configuration table: key -> its default.
std::map<std::string, Documented> readmeTable() {
  std::string readme = testing::slurp(testing::sourceDir() / "README.md");
  size_t start = readme.find("\n## Configuration\n");
  REQUIRE(start != std::string::npos);
  size_t end = readme.find("\n## ", start + 1);
  std::istringstream in(readme.substr(start, end - start));
  std::map<std::string, Documented> out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    auto c = cells(line);
    REQUIRE(c.size() >= 3);
    auto keys = codeSpans(c[0]);
    auto defaults = codeSpans(c[1]);
    // "`127.0.0.1`, `8080`": one per key. Anything else (a sentence, *(…)*, —) names no literal
    // value.
    std::string rest = std::regex_replace(c[1], std::regex("`[^`]*`|, "), "");
    bool literal = defaults.size() == keys.size() && rest.empty();
    for (size_t i = 0; i < keys.size(); ++i) {
      // A pattern (webhooks.<name>.url) or its continuation (`.secret`): a subscription's keys.
      if (keys[i].empty() || keys[i].find('<') != std::string::npos || keys[i].front() == '.')
        continue;
      CHECK_MESSAGE(!out.count(keys[i]), keys[i] << " is in the table twice");
      out[keys[i]] = Documented{c[1], literal ? std::optional(defaults[i]) : std::nullopt};
    }
  }
  return out;
}

// The keys read by name in src/: config.getString("server.port") and the like, and the global
// webhooks keys (service/webhook_events.cpp reads them below "webhooks.").
std::set<std::string> keysReadInSource() {
  std::set<std::string> out;
  static const std::regex read(
      R"(\.(?:getString|getInt|getUInt|getInt64|getBool|getDouble|hasProperty|has)\("([a-z_]+\.[a-z0-9_.]+)\")");
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(testing::sourceDir() / "src")) {
    if (e.path().extension() != ".cpp" && e.path().extension() != ".h") continue;
    std::string text = testing::slurp(e.path());
    for (std::sregex_iterator it(text.begin(), text.end(), read), end; it != end; ++it) {
      out.insert((*it)[1]);
    }
    auto global = text.find("kGlobal = {");
    if (e.path().filename() == "webhook_events.cpp") {
      REQUIRE(global != std::string::npos);
      std::string set = text.substr(global, text.find('}', global) - global);
      static const std::regex word("\"([a-z_]+)\"");
      for (std::sregex_iterator it(set.begin(), set.end(), word), end; it != end; ++it) {
        out.insert("webhooks." + std::string((*it)[1]));
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every configuration key is in the README's table with its default, and only those") {
  const auto table = readmeTable();
  std::set<std::string> known;
  for (const auto& k : app::configKeys()) {
    known.insert(k.key);
    CAPTURE(k.key);
    auto it = table.find(k.key);
    CHECK_MESSAGE(it != table.end(), std::string(k.key)
                                         << " is not in the README's configuration table");
    if (it == table.end()) continue;
    INFO("README default: " << it->second.defaultCell << "; code default: " << k.defaultValue);
    if (it->second.defaultValue) {
      CHECK(*it->second.defaultValue == k.defaultValue);
    } else if (it->second.defaultCell == "—" || it->second.defaultCell.rfind("*(", 0) == 0) {
      CHECK(k.defaultValue.empty());  // none, or one charta works out
    }
  }
  for (const auto& [key, doc] : table) {
    CHECK_MESSAGE(known.count(key), key << " is in the README but charta does not know it");
  }
}

TEST_CASE("every key the code reads by name is a known key") {
  std::set<std::string> known;
  for (const auto& k : app::configKeys()) known.insert(k.key);
  const auto read = keysReadInSource();
  CHECK(read.size() > 20);  // the scan found the reads
  for (const auto& key : read) {
    CHECK_MESSAGE(known.count(key), key << " is read but has no default (app/config.cpp)");
  }
  // And nothing is known that nothing reads.
  for (const auto& key : known) {
    CHECK_MESSAGE(read.count(key), key << " has a default but no code reads it");
  }
}
