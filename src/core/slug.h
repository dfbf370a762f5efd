#pragma once

#include <map>
#include <string>
#include <string_view>

namespace charta::core {

// The anchors GitHub gives headings, so that the links a text written for GitHub makes to its
// own sections ("[A. Definitions](#a-definitions)") reach them on charta's pages too.

// The slug of a heading whose text (as a reader sees it) is "text": lower case; every character
// but letters, digits, "_", "-" and spaces dropped; each space a hyphen.
//   "F. Payment & Billing" -> "f-payment--billing", "J. Children's Privacy" ->
//   "j-childrens-privacy"
std::string githubSlug(std::string_view text);

// The slugs of the headings of one text, in text order, unique as GitHub makes them: a slug seen
// before gets "-1", "-2", ... ("in-short", "in-short-1"). Not safe for concurrent use.
class HeadingSlugs {
 public:
  // Marks "id" as taken by another element of the page (a clause anchor): no slug takes it.
  void reserve(const std::string& id) { seen_.emplace(id, 0); }
  // The slug of the next heading, whose text is "text".
  std::string add(std::string_view text);
  // True when "id" was reserved or given.
  bool taken(const std::string& id) const { return seen_.count(id) > 0; }

 private:
  std::map<std::string, int, std::less<>> seen_;  // slug -> how many times its base repeated
};

// The text of one line of Markdown inline content as a reader sees it: emphasis markers, code
// ticks, HTML tags and comments and backslashes of escapes removed, a link or image replaced by
// its text, the closing "#"s of an ATX heading dropped, white space collapsed and trimmed.
std::string inlinePlainText(std::string_view markdown);

}  // namespace charta::core
