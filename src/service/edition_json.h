#pragma once

#include <Poco/JSON/Object.h>

#include "core/timeline.h"

namespace charta::service {

// The JSON view of one edition, shared by the CLI's --json output and the API:
// {document, edition: "v3", number, commit, published_at, effective_from, status, material,
//  renew_purposes, summary, publisher: {name, email}, forced, withdrawal: {at, by, reason}|null}.
// Times are RFC 3339 in the offset the edition was published with. "status" is at "now".
Poco::JSON::Object::Ptr editionJson(const core::Edition& e, const core::Timeline& timeline,
                                    core::Instant now);

}  // namespace charta::service
