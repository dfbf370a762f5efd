#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

#include "core/clauses.h"
#include "core/error.h"

namespace charta::render {

// A failure to render: input too large, a broken template, an unreadable asset.
class RenderError : public Error {
 public:
  using Error::Error;
};

// The largest Markdown text renderMarkdown accepts. cmark-gfm 0.29 predates several
// denial-of-service fixes, so only trusted policy text of a bounded size is ever rendered.
inline constexpr std::size_t kMaxMarkdownBytes = 1024 * 1024;

// A numbered clause of a policy text ("4.1.10. Предоставления ..." or "## 5. СПОСОБЫ ...").
struct Clause {
  std::string number{};  // "4.1.10": as written, without trailing dots
  std::string anchor{};  // "p-4-1-10": the id of its element, unique in the text
  int level = 1;         // how many numbers: "4.1.10" is 3
  bool heading = false;
  std::string title{};  // headings only: their plain text after the number ("СПОСОБЫ ...")
};

// A top-level heading of the text, for a table of contents. Numbered headings are anchored as
// clauses ("p-5"); unnumbered ones get "s-1", "s-2", ... in order.
struct Section {
  std::string number{};  // "5", or empty when the heading has no number
  std::string anchor{};  // "p-5"
  std::string title{};   // plain text after the number
};

// A policy text rendered to an XHTML fragment.
struct RenderedText {
  // Well-formed XHTML block elements (no root element), ready to be parsed as a fragment and
  // inserted into a page. Headings start at h2: the page's h1 is the document title.
  std::string html{};
  std::vector<Clause> clauses{};  // in text order; a repeated number is anchored only once
  std::vector<Section> sections{};
};

// Where the relative links of a text lead. A text written for a repository links its sibling
// files ("../terms/README.md", "other.md"): such a link to a text charta publishes goes to that
// text's page; any other one resolves against "base" (site.link_base). Links to an anchor
// ("#a-definitions"), to a path of the site ("/terms") or with a scheme never change.
struct LinkRules {
  std::string textPath{};  // the text's path in the repository ("legal/privacy.md")
  std::string base{};      // "https://github.com/acme/policies/blob/main/"; empty: leave them
  // The repository path of every published text → its page ("terms/en.md" → "/terms?lang=en").
  std::map<std::string, std::string, std::less<>> pages{};
};

// "url" as a link of a text under "rules" (see LinkRules); unchanged when no rule applies.
std::string resolveLink(std::string_view url, const LinkRules& rules);

// Renders the Markdown "markdown" (the body only: front matter already removed) with
// cmark-gfm in safe mode plus the table, strikethrough and autolink extensions.
//
// Raw HTML is dropped (no comment is left in its place); links and images whose URL is not
// relative, http(s), mailto or tel (images: relative or http(s)) lose their URL: a link keeps its
// text, an image disappears. Numbered clauses get anchors and self-links; references such as
// "п. 4" or "п.п. 5.2. и 5.3." become links when the clause exists in the same text. The words
// of the text never change: only elements are added around them.
//
// Pure and deterministic; safe to call from several threads at once. Linear in the input.
// throws RenderError: "markdown" is larger than kMaxMarkdownBytes.
// "profile": how the text numbers its clauses (charta.xml); nullopt: core::detectProfile. In the
// lettered and headings profiles headings are anchored by their GitHub slugs (see
// detail::analyseStructure); "<a name>"/"<a id>" anchors of raw HTML keep their names.
// "links": where relative links lead (resolveLink); the default leaves them as written.
RenderedText renderMarkdown(std::string_view markdown,
                            std::optional<core::ClauseProfile> profile = std::nullopt,
                            const LinkRules& links = {});

// The name and version of the Markdown engine ("cmark-gfm 0.29.0.gfm.6"), part of Site::digest().
std::string markdownEngineVersion();

// True when "url" may be the target of a link ("image": of an image) in a rendered text.
// Tabs and line breaks are ignored and case does not matter, as in browsers.
bool isSafeUrl(std::string_view url, bool image = false);

}  // namespace charta::render
