#include "render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <mutex>

#include "core/clauses.h"
#include "render/cmark_util.h"
#include "render/text_structure.h"
#include "render/xhtml_writer.h"

namespace charta::render {
namespace {

using detail::NodePtr;
using detail::ParserPtr;

void ensureExtensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

NodePtr parse(std::string_view markdown) {
  ensureExtensions();
  // Safe mode is cmark-gfm's default; CMARK_OPT_UNSAFE is never set.
  ParserPtr parser(cmark_parser_new(CMARK_OPT_VALIDATE_UTF8));
  if (!parser) throw RenderError("rendering Markdown: cannot create a cmark-gfm parser");
  for (const char* name : {"table", "strikethrough", "autolink"}) {
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (!ext) throw RenderError(std::string("rendering Markdown: no cmark-gfm extension ") + name);
    cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  NodePtr doc(cmark_parser_finish(parser.get()));
  if (!doc) throw RenderError("rendering Markdown: cmark-gfm returned no document");
  cmark_consolidate_text_nodes(doc.get());
  return doc;
}

}  // namespace

bool isSafeUrl(std::string_view url, bool image) {
  std::string s;
  s.reserve(url.size());
  for (char c : url) {
    if (c != '\t' && c != '\n' && c != '\r') s += c;  // browsers drop these anywhere in a URL
  }
  std::size_t b = 0;
  while (b < s.size() && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  std::string_view v(s);
  v.remove_prefix(b);
  std::size_t colon = v.find(':');
  std::size_t stop = v.find_first_of("/?#");
  if (colon == std::string_view::npos || (stop != std::string_view::npos && stop < colon)) {
    return true;  // relative
  }
  std::string scheme;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = v[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 0x20);
    bool ok = (c >= 'a' && c <= 'z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
    scheme += c;
  }
  if (scheme == "http" || scheme == "https") return true;
  return !image && (scheme == "mailto" || scheme == "tel");
}

std::string markdownEngineVersion() { return std::string("cmark-gfm ") + cmark_version_string(); }

RenderedText renderMarkdown(std::string_view markdown, std::optional<core::ClauseProfile> profile,
                            const LinkRules& links) {
  if (markdown.size() > kMaxMarkdownBytes) {
    throw RenderError("rendering Markdown: the text has " + std::to_string(markdown.size()) +
                      " bytes, more than the limit of " + std::to_string(kMaxMarkdownBytes));
  }
  NodePtr doc = parse(markdown);
  detail::resolveLinks(doc.get(), links);
  core::ClauseGrammar grammar = core::ClauseGrammar::forText(profile, markdown);
  detail::TextStructure structure = detail::analyseStructure(doc.get(), grammar);
  RenderedText r;
  r.html = detail::writeXhtml(doc.get(), structure, grammar, r.clauses, markdown.size());
  r.sections = std::move(structure.sections);
  return r;
}

}  // namespace charta::render
