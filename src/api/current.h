#pragma once

#include <Poco/JSON/Array.h>

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "core/ids.h"
#include "core/time.h"
#include "service/catalog.h"
#include "service/pages.h"

namespace charta::api {

// The API path of a document: /api/v1/documents/{doc}.
std::string apiDocPath(const core::DocumentId& doc);

// The `current` answer of one document at one moment, exactly as
// GET /api/v1/documents/{doc}/current sends it: the edition in force with its texts' and pages'
// hashes, the upcoming edition and the next switch; or, when nothing is in force, the 404
// not-in-force problem. The publications API compares its ETag with If-Match, so both take it
// from here. Answers are kept per state (snapshot generation, document, the editions in force and
// upcoming at that moment), so polling is a lookup and a write. Safe for concurrent use.
class CurrentAnswers {
 public:
  explicit CurrentAnswers(service::Pages& pages);

  struct Answer {
    int status = 200;  // 404: no edition in force then (the page is a problem)
    std::shared_ptr<const service::Page> page;  // changesAt: the next switch, if scheduled
  };
  // The answer for "doc" at "at" in "snap"; nullopt when "doc" is neither published nor declared
  // in charta.xml at the branch tip. throws RepositoryError.
  std::optional<Answer> at(const service::Snapshot& snap, const core::DocumentId& doc,
                           core::Instant at);

 private:
  Answer build(const service::Snapshot& snap, const service::DocumentState* d,
               const core::DocumentId& doc, core::Instant at);

  service::Pages& pages_;
  std::shared_mutex mu_;
  std::map<std::string, Answer> cache_;
};

// The texts of edition "e" as `current` and the editions API show them: per language, the
// SHA-256 of the exact text and of the page served at "at", the page's URL and the text's.
Poco::JSON::Array::Ptr textsJson(service::Pages& pages, const service::Snapshot& snap,
                                 const service::DocumentState& d, const core::Edition& e,
                                 core::Instant at);

}  // namespace charta::api
