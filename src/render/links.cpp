// resolveLink and the pass of renderMarkdown that applies it to every link of a text.
#include <cmark-gfm.h>

#include <vector>

#include "render/cmark_util.h"
#include "render/markdown.h"

namespace charta::render {
namespace {

// True when "url" names a scheme ("https:", "mailto:"): letters, digits, "+", "-", "." before a
// ":" that comes before any "/", "?" or "#".
bool hasScheme(std::string_view url) {
  std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
      return false;
    }
  }
  return true;
}

// "dir" joined with the relative path "rel", "." and ".." resolved; ".." above the root stops
// at the root.
std::string joinPath(std::string_view dir, std::string_view rel) {
  std::vector<std::string_view> parts;
  auto push = [&](std::string_view path) {
    while (!path.empty()) {
      std::size_t slash = path.find('/');
      std::string_view seg = path.substr(0, slash);
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.push_back(seg);
      }
    }
  };
  push(dir);
  push(rel);
  std::string out;
  for (std::string_view p : parts) out += (out.empty() ? "" : "/") + std::string(p);
  if (!rel.empty() && rel.back() == '/' && !out.empty()) out += '/';
  return out;
}

}  // namespace

std::string resolveLink(std::string_view url, const LinkRules& rules) {
  if (url.empty() || url[0] == '#' || url[0] == '/' || url[0] == '?' || hasScheme(url)) {
    return std::string(url);
  }
  std::size_t tail = url.find_first_of("?#");
  std::string_view path = url.substr(0, tail);
  std::string_view rest = tail == std::string_view::npos ? std::string_view{} : url.substr(tail);
  std::string_view textPath = rules.textPath;
  std::size_t slash = textPath.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : textPath.substr(0, slash);
  std::string resolved = joinPath(dir, path);
  if (auto it = rules.pages.find(resolved); it != rules.pages.end()) {
    std::size_t hash = rest.find('#');
    return it->second + std::string(hash == std::string_view::npos ? "" : rest.substr(hash));
  }
  if (rules.base.empty()) return std::string(url);
  std::string base = rules.base;
  if (base.back() != '/') base += '/';
  return base + resolved + std::string(rest);
}

namespace detail {

// Points every link of "doc" where resolveLink says; images keep their sources.
void resolveLinks(cmark_node* doc, const LinkRules& rules) {
  if (rules.base.empty() && rules.pages.empty()) return;
  IterPtr it(cmark_iter_new(doc));
  for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it.get());
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK) continue;
    const char* url = cmark_node_get_url(n);
    if (!url) continue;
    std::string resolved = resolveLink(url, rules);
    if (resolved != url) cmark_node_set_url(n, resolved.c_str());
  }
}

}  // namespace detail
}  // namespace charta::render
