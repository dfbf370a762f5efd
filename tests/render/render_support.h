#pragma once

// Helpers shared by the render tests: files of the source tree, XML parsing and text content.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <string_view>

namespace charta::render::testing {

inline std::filesystem::path sourceDir() { return CHARTA_SOURCE_DIR; }

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeFile(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE_MESSAGE(out.good(), "cannot write " << p);
}

// Parses an HTML fragment as XML inside a <div>; fails the test when it is not well-formed.
inline void parseFragment(pugi::xml_document& doc, std::string_view html) {
  std::string wrapped = "<div>" + std::string(html) + "</div>";
  pugi::xml_parse_result r =
      doc.load_buffer(wrapped.data(), wrapped.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                      pugi::encoding_utf8);
  REQUIRE_MESSAGE(r, "not well-formed: " << r.description() << " at " << r.offset);
}

// Every text node under "n", concatenated, with runs of white space collapsed to one space.
inline std::string textContent(pugi::xml_node n) {
  std::string raw;
  for (const pugi::xpath_node& d : n.select_nodes(".//text()")) raw += d.node().value();
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

inline std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace charta::render::testing
