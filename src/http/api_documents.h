#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/time.h"
#include "http/api.h"
#include "http/site_service.h"
#include "repository/policy_repository.h"

namespace charta::http {

// The `current` representation of one document at one moment, exactly as
// GET /api/v1/documents/{doc}/current sends it. The write API compares its ETag with If-Match, so
// both sides build it here.
struct CurrentView {
  int status = 200;  // 200; 404 when the document is known but no edition is in force then
  std::shared_ptr<const std::string> body;  // application/json (200) or problem+json (404)
  std::string etag;                         // strong, of "body"
  std::optional<core::Instant> nextSwitch;  // when the answer changes by itself, if scheduled
};

// Builds the view of "doc" at "at" from "snap" ("repo" supplies text hashes). The site supplies
// page hashes (rendering a page on first use). Returns nullopt when "doc" is neither published
// nor declared in charta.xml at the branch tip. Pure function of the snapshot and "at".
// throws RepositoryError: the repository cannot be read.
std::optional<CurrentView> buildCurrentView(repository::PolicyRepository& repo, SiteService& pages,
                                            const SiteSnapshot& snap, const core::DocumentId& doc,
                                            core::Instant at);

struct DocumentsApiOptions {
  int maxAgeSeconds = 60;  // cap of Cache-Control for answers an unannounced publication changes
};

// The public read API (no token needed):
//   GET /api/v1/documents
//   GET /api/v1/documents/{doc}
//   GET /api/v1/documents/{doc}/current[?at=RFC3339]
//   GET /api/v1/documents/{doc}/editions[?limit=&cursor=]    newest first, Link rel="next"
//   GET /api/v1/documents/{doc}/editions/{edition}[?format=json|markdown|html][&lang=]
// Every answer has a strong ETag and honours If-None-Match (304); Cache-Control of answers that
// change at a scheduled switch never reaches past it. Safe for concurrent use.
std::unique_ptr<ApiModule> makeDocumentsApi(repository::PolicyRepository& repo, SiteService& pages,
                                            DocumentsApiOptions options);

// GET /api/v1/openapi.json: the OpenAPI 3.1 document of the whole API, read from "path" at start.
// throws Error: the file cannot be read or is not JSON.
std::unique_ptr<ApiModule> makeOpenApiModule(const std::string& path);

// Parses query parameter "at" (RFC 3339 with an offset; '+' is taken literally). Absent: nullopt.
// throws ApiError 400: a time without offset or otherwise malformed.
std::optional<core::Instant> atParam(const Request& req);

// Throws ApiError 400 when the query of "req" names a parameter outside "allowed" or repeats one.
void requireQueryParams(const Request& req, std::initializer_list<std::string_view> allowed);

// The document id in a path segment. throws ApiError 400 "invalid-document-id".
core::DocumentId documentParam(const std::string& segment);

// An edition segment: exactly "v<N>". throws ApiError 400 "invalid-edition".
core::EditionNo editionParam(const std::string& segment);

}  // namespace charta::http
