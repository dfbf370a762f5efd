#pragma once

// The JSON view of one edition lives with the application (service/edition_json.h).
#include "service/edition_json.h"

namespace charta::http {
using service::editionJson;
}  // namespace charta::http
