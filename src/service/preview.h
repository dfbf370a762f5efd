#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "core/time.h"
#include "render/site.h"
#include "service/catalog.h"
#include "service/publishing.h"

namespace charta::service {

// What a draft would be if it were published: the revision and the terms of the publication.
struct PreviewRequest {
  core::DocumentId doc;
  std::optional<core::CommitId> revision;      // default: the tip of the branch
  std::optional<core::Instant> effectiveFrom;  // default: the moment of the preview
  std::chrono::minutes effectiveOffset{core::kKazakhstanOffset};
  bool material = false;
  std::vector<core::PurposeId> renewPurposes;
  std::string summary;
};

// A draft rendered as it would be served if published at the moment of the preview, every page
// marked as a preview (markPreview).
struct Preview {
  core::Edition edition;                   // the edition it would be
  core::Document document;                 // charta.xml's entry at the revision
  std::optional<core::EditionNo> against;  // the edition in force, which the redlines compare with
  std::map<std::string, std::string> pages;     // language -> the page, marked
  std::map<std::string, std::string> redlines;  // language -> the changes page, marked
  LintResult lint;
  ApprovalState approvals;
};

// The notice every preview page carries, in the page's language, and noindex for robots: the
// page served after publishing the same revision at the same moment is "bytes" without them.
std::string markPreview(std::string bytes, const core::Lang& lang);

// Previews of drafts: the pages of the site rendered from a draft as if it were the next edition,
// in a cache of their own (never the served pages'). Safe for concurrent use.
class Previews {
 public:
  Previews(Catalog& catalog, const render::Site& site, const Publishing& publishing);

  // The preview of "req" at "now": every language's page, the redline against the edition in
  // force (when there is one and it has the language) and the lint as publishing would run it.
  // throws Failure kNotFound (the revision is not on the branch), kDocumentNotFound (charta.xml
  //   there does not declare the document), kInvalidRegistry; NotFound: no such commit.
  Preview preview(const PreviewRequest& req, core::Instant now) const;

  // One page of the preview: the draft's page in "lang" (nullopt: the controlling language;
  // "redline": its changes against the edition in force). throws as preview(); Failure
  // kTextNotFound: no such page; kNotInForce: a redline when no edition is in force.
  std::string page(const PreviewRequest& req, const std::optional<core::Lang>& lang, bool redline,
                   core::Instant now) const;

 private:
  struct Draft;
  Draft draft(const PreviewRequest& req, core::Instant now) const;

  Catalog& catalog_;
  const render::Site& site_;
  const Publishing& publishing_;
};

}  // namespace charta::service

namespace charta::service {

// One file of the static preview site: a path relative to its root ("index.html",
// "ru/index.html", "ru/changes/index.html", "lint/index.html", "assets/charta.css") and its
// bytes.
struct PreviewFile {
  std::string path;
  std::string bytes;
};

// The preview as a small static site: an index naming the edition it would be, the pages and
// redlines of every language, the lint findings and the approvals; the site's assets. Every page
// carries the preview notice and noindex.
std::vector<PreviewFile> previewSite(const Preview& preview, const render::Site& site,
                                     core::Instant now);

// The approvals of a revision as JSON: document, revision, author, needed, counted, approvals
// [{by, email, at, counts}].
Poco::JSON::Object::Ptr approvalStateJson(const ApprovalState& a);

}  // namespace charta::service
