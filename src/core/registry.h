#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clauses.h"
#include "core/ids.h"
#include "core/words.h"

namespace charta::core {

// A processing purpose that needs the user's consent, tied to the clause that states it.
struct Purpose {
  PurposeId id;
  // The clause that states it in the controlling language's text: a clause id of the document's
  // structure ("4.1.10", "B.3") or a heading anchor ("#your-choices"); see core::isClauseRef.
  std::string clause;
  std::string title;  // human-readable name in the controlling language
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
  // material-notice-days: a material edition takes effect at least this many days after it is
  // published (0: no notice is required).
  int materialNoticeDays = 0;
  // approvals: how many people other than the revision's author must approve that exact revision
  // before it is published (0: none).
  int approvals = 0;
  // How its texts number their clauses (charta.xml structure="..."); nullopt: detected from each
  // text (core::detectProfile).
  std::optional<ClauseProfile> structure{};
  // language tag -> the paths its text had before, newest first (charta.xml previous-paths):
  // where the history of a renamed text is found.
  std::map<std::string, std::vector<std::string>> previousPaths{};

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
  // The path of the text in "lang" and the paths it had before, newest first; empty when the
  // document has no such language.
  std::vector<std::string> paths(const std::string& lang) const {
    auto it = files.find(lang);
    if (it == files.end()) return {};
    std::vector<std::string> out{it->second};
    if (auto p = previousPaths.find(lang); p != previousPaths.end()) {
      out.insert(out.end(), p->second.begin(), p->second.end());
    }
    return out;
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
