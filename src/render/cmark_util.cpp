#include "render/cmark_util.h"

#include "core/words.h"

namespace charta::render::detail {

std::string_view typeString(cmark_node* n) {
  const char* t = cmark_node_get_type_string(n);
  return t ? std::string_view(t) : std::string_view();
}

std::string_view literal(cmark_node* n) {
  const char* t = cmark_node_get_literal(n);
  return t ? std::string_view(t) : std::string_view();
}

bool isInlineContainer(cmark_node* n) {
  auto t = cmark_node_get_type(n);
  return t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG || typeString(n) == "strikethrough";
}

cmark_node* leadingText(cmark_node* block) {
  cmark_node* n = cmark_node_first_child(block);
  while (n && isInlineContainer(n)) n = cmark_node_first_child(n);
  return n && cmark_node_get_type(n) == CMARK_NODE_TEXT ? n : nullptr;
}

bool cutByMarkup(cmark_node* text) {
  if (cmark_node* next = cmark_node_next(text)) return isInlineContainer(next);
  cmark_node* parent = cmark_node_parent(text);
  return parent && isInlineContainer(parent);
}

bool appendPlain(std::string& out, cmark_node* n) {
  switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
      out += literal(n);
      return true;
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
      out += ' ';
      return true;
    default:
      return false;
  }
}

std::string plainText(cmark_node* root) {
  std::string raw;
  IterPtr it(cmark_iter_new(root));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev == CMARK_EVENT_ENTER) appendPlain(raw, cmark_iter_get_node(it.get()));
  }
  return raw;
}

std::string collapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    std::size_t n = core::decodeUtf8(s, i, cp);
    if (n > 0 && core::isTextSpace(cp)) {
      space = !out.empty();
    } else {
      n = n == 0 ? 1 : n;
      if (space) out += ' ';
      space = false;
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

bool isTightParagraph(cmark_node* para) {
  cmark_node* item = cmark_node_parent(para);
  if (!item || cmark_node_get_type(item) != CMARK_NODE_ITEM) return false;
  cmark_node* list = cmark_node_parent(item);
  return list && cmark_node_get_list_tight(list);
}

}  // namespace charta::render::detail
