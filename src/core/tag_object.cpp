#include "core/tag_object.h"

#include <algorithm>
#include <charconv>

namespace charta::core {

namespace {

bool isHexId(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "+0500" or "-0130" as minutes east of UTC.
std::optional<std::chrono::minutes> parseOffset(std::string_view tz) {
  if (tz.size() != 5 || (tz[0] != '+' && tz[0] != '-')) return std::nullopt;
  if (!std::all_of(tz.begin() + 1, tz.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int hours = (tz[1] - '0') * 10 + (tz[2] - '0');
  int mins = (tz[3] - '0') * 10 + (tz[4] - '0');
  if (mins > 59) return std::nullopt;
  int total = hours * 60 + mins;
  return std::chrono::minutes(tz[0] == '-' ? -total : total);
}

// "Name <email> 1764132000 +0500" into "tag".
bool parseTagger(std::string_view line, TagObject& tag) {
  size_t lt = line.rfind('<');
  size_t gt = line.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) return false;
  std::string_view name = line.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string_view rest = line.substr(gt + 1);
  if (rest.size() < 2 || rest[0] != ' ') return false;
  rest.remove_prefix(1);
  size_t space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view seconds = rest.substr(0, space);
  long long value = 0;
  auto [end, ec] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), value);
  if (ec != std::errc() || end != seconds.data() + seconds.size() || value < 0) return false;
  auto offset = parseOffset(rest.substr(space + 1));
  if (!offset) return false;
  tag.tagger = Person{std::string(name), std::string(line.substr(lt + 1, gt - lt - 1))};
  tag.taggerTime = fromUnixSeconds(value);
  tag.taggerOffset = *offset;
  return true;
}

}  // namespace

std::optional<TagObject> parseTagObject(std::string_view raw) {
  TagObject tag;
  bool haveObject = false, haveType = false, haveName = false;
  size_t pos = 0;
  while (true) {
    size_t nl = raw.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;  // headers end with a blank line
    std::string_view line = raw.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (key == "object" && !haveObject) {
      if (!isHexId(value)) return std::nullopt;
      tag.target = std::string(value);
      haveObject = true;
    } else if (key == "type" && !haveType) {
      if (value != "commit" && value != "tag" && value != "tree" && value != "blob") {
        return std::nullopt;
      }
      tag.targetType = std::string(value);
      haveType = true;
    } else if (key == "tag" && !haveName) {
      if (value.empty()) return std::nullopt;
      tag.name = std::string(value);
      haveName = true;
    } else if (key == "tagger" && !tag.tagger) {
      if (!parseTagger(value, tag)) return std::nullopt;
    } else if (key == "object" || key == "type" || key == "tag" || key == "tagger") {
      return std::nullopt;  // repeated
    }
  }
  if (!haveObject || !haveType || !haveName) return std::nullopt;
  tag.message = std::string(raw.substr(pos));
  return tag;
}

}  // namespace charta::core
