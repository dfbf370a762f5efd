#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/words.h"

namespace charta::core {

// A processing purpose that needs the user's consent, tied to the clause that states it.
struct Purpose {
  PurposeId id;
  std::string clause;  // "4.1.10", as numbered in the controlling language's text
  std::string title;   // human-readable name in the controlling language
};

// One policy document as declared in charta.xml at some revision.
struct Document {
  DocumentId id;
  std::string title;                         // fallback when the text has no front-matter title
  std::string route;                         // "/personal-data": where the site serves it
  Lang controllingLang;                      // the language that prevails
  std::map<std::string, std::string> files;  // language tag -> path in the repository
  std::vector<Lang> langs;                   // in charta.xml order; the controlling one first
  std::vector<Purpose> purposes;

  const Purpose* purpose(const PurposeId& pid) const {
    for (const auto& p : purposes)
      if (p.id == pid) return &p;
    return nullptr;
  }
  // The document's own spelling of language "tag", or nullptr when it has no such language. Tags
  // are case-insensitive (RFC 5646): "RU" names "ru".
  const Lang* language(std::string_view tag) const {
    for (const auto& l : langs)
      if (iequals(l.str(), tag)) return &l;
    return nullptr;
  }
  // The path of the text in "lang", or nullptr when the document has no such language.
  const std::string* file(const Lang& lang) const {
    auto it = files.find(lang.str());
    return it == files.end() ? nullptr : &it->second;
  }
};

// The whole charta.xml of one revision.
struct Registry {
  std::vector<Document> documents;
  // A site-wide base URL ("https://shop.kz"), used for absolute links in feeds and sitemaps.
  std::string baseUrl;

  const Document* document(const DocumentId& did) const {
    for (const auto& d : documents)
      if (d.id == did) return &d;
    return nullptr;
  }
};

}  // namespace charta::core
