#include "core/ids.h"

#include <cctype>

namespace charta::core {
namespace {

bool isSlug(std::string_view s, size_t maxLen) {
  if (s.empty() || s.size() > maxLen || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return s.find("--") == std::string_view::npos;
}

}  // namespace

std::optional<DocumentId> DocumentId::parse(std::string_view text) {
  if (!isSlug(text, 64)) return std::nullopt;
  return DocumentId(std::string(text));
}

std::optional<EditionNo> EditionNo::of(long n) {
  if (n < 1 || n > 999999) return std::nullopt;
  return EditionNo(static_cast<int>(n));
}

std::optional<EditionNo> EditionNo::parseName(std::string_view text) {
  if (text.empty() || text.front() != 'v') return std::nullopt;
  return parse(text);
}

std::optional<EditionNo> EditionNo::parse(std::string_view text) {
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  if (text.empty() || text.size() > 6 || text.front() == '0') return std::nullopt;
  long n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return of(n);
}

std::optional<CommitId> CommitId::parse(std::string_view text) {
  if (text.size() != 40) return std::nullopt;
  std::string hex;
  hex.reserve(40);
  for (char c : text) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      hex += c;
    } else if (c >= 'A' && c <= 'F') {
      hex += static_cast<char>(c - 'A' + 'a');
    } else {
      return std::nullopt;
    }
  }
  return CommitId(std::move(hex));
}

std::optional<Lang> Lang::parse(std::string_view text) {
  if (text.size() < 2 || text.size() > 35) return std::nullopt;
  size_t primary = 0;
  bool inPrimary = true;
  char prev = '-';
  for (char c : text) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (c == '-') {
      if (prev == '-') return std::nullopt;
      inPrimary = false;
    } else if (inPrimary) {
      if (!alpha) return std::nullopt;
      ++primary;
    } else if (!alpha && !digit) {
      return std::nullopt;
    }
    prev = c;
  }
  if (prev == '-' || primary < 2 || primary > 3) return std::nullopt;
  return Lang(std::string(text));
}

std::optional<PurposeId> PurposeId::parse(std::string_view text) {
  if (!isSlug(text, 64)) return std::nullopt;
  return PurposeId(std::string(text));
}

std::optional<RevisionSpec> RevisionSpec::parse(std::string_view text) {
  RevisionSpec spec;
  if (!text.empty() && text.front() == 'v') {
    spec.edition = EditionNo::parse(text);
    if (!spec.edition) return std::nullopt;
    return spec;
  }
  spec.commit = CommitId::parse(text);
  if (!spec.commit) return std::nullopt;
  return spec;
}

bool isClauseNumber(std::string_view text) {
  int parts = 0;
  size_t run = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (++run > 3) return false;
    } else if (c == '.') {
      if (run == 0) return false;
      run = 0;
      ++parts;
    } else {
      return false;
    }
  }
  if (run == 0) return false;
  return ++parts <= 6;
}

}  // namespace charta::core
