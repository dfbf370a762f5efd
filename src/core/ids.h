#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace charta::core {

// The id of one document: lower-case ASCII letters, digits and inner hyphens, 1-64 bytes
// ("personal-data"). It names the document's tags, so it must be safe inside a git ref name.
class DocumentId {
 public:
  static std::optional<DocumentId> parse(std::string_view text);
  const std::string& str() const { return id_; }
  auto operator<=>(const DocumentId&) const = default;

 private:
  explicit DocumentId(std::string id) : id_(std::move(id)) {}
  std::string id_;
};

// An edition number of one document: v1, v2, ...
class EditionNo {
 public:
  // Exactly "v<N>" ("v3"): a lower-case v, no leading zeros. The one spelling of an edition in
  // paths, queries, bodies and the command line ("V3" and "3" are refused).
  static std::optional<EditionNo> parseName(std::string_view text);
  // "v<N>" or the bare number "<N>" (as a ledger stores it); no leading zeros.
  static std::optional<EditionNo> parse(std::string_view text);
  static std::optional<EditionNo> of(long n);  // 1..999999
  int value() const { return n_; }
  std::string str() const { return "v" + std::to_string(n_); }  // "v3"
  auto operator<=>(const EditionNo&) const = default;

 private:
  explicit EditionNo(int n) : n_(n) {}
  int n_;
};

// A full git object id: 40 lower-case hex digits. Never an abbreviation or a rev-parse expression.
class CommitId {
 public:
  static std::optional<CommitId> parse(std::string_view text);  // accepts upper case, stores lower
  const std::string& str() const { return hex_; }
  auto operator<=>(const CommitId&) const = default;

 private:
  explicit CommitId(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

// A language tag of the simple BCP 47 form the policy files are named by: "ru", "kk", "en",
// "en-GB", "zh-Hant". Letters, digits and hyphens, 2-35 bytes, primary subtag 2-3 letters.
// Stored as written in charta.xml; compared case-insensitively by canonical lower case.
class Lang {
 public:
  static std::optional<Lang> parse(std::string_view text);
  const std::string& str() const { return tag_; }
  auto operator<=>(const Lang&) const = default;

 private:
  explicit Lang(std::string tag) : tag_(std::move(tag)) {}
  std::string tag_;
};

// A processing purpose id from a document's catalogue: like DocumentId ("marketing").
class PurposeId {
 public:
  static std::optional<PurposeId> parse(std::string_view text);
  const std::string& str() const { return id_; }
  auto operator<=>(const PurposeId&) const = default;

 private:
  explicit PurposeId(std::string id) : id_(std::move(id)) {}
  std::string id_;
};

// A revision named by a user: an edition ("v3") or a full commit id. Anything else (branch
// names, "HEAD~1", "@{-1}", abbreviations) is refused: user text never reaches git's rev-parse.
struct RevisionSpec {
  std::optional<EditionNo> edition;
  std::optional<CommitId> commit;
  static std::optional<RevisionSpec> parse(std::string_view text);
};

// A clause number as written in the text ("4.1.10"), without the trailing dot.
// Returns true when "text" is one to six dot-separated numbers of 1-3 digits each.
bool isClauseNumber(std::string_view text);

}  // namespace charta::core
