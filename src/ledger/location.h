#pragma once

#include <string>
#include <string_view>

namespace charta::ledger {

// Where a ledger lives, parsed from its URI (see openLedger).
struct Location {
  enum class Backend { kSqlite, kPostgresql };
  Backend backend = Backend::kSqlite;
  std::string target;  // SQLite: the file path; PostgreSQL: libpq keyword/value connection string
};

// Parses "uri". PostgreSQL URIs become keyword/value form ("host='h' port='5432' ..."), with
// percent-escapes decoded and every value quoted. Pure; thread-safe.
// throws InvalidInput: empty, unknown scheme, bad port, bad percent-escape, empty path.
Location parseLocation(std::string_view uri);

}  // namespace charta::ledger
