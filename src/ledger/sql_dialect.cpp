#include "ledger/sql_dialect.h"

#include <Poco/Exception.h>

namespace charta::ledger::sql {

std::unique_ptr<Dialect> makeDialect(const Location& location, const Options& options) {
  if (location.backend == Location::Backend::kPostgresql) return postgresqlDialect(location);
  return sqliteDialect(location, options);
}

void rethrowAsStorage(std::string_view doing) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StorageError(std::string(doing) + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw StorageError(std::string(doing) + ": " + e.what());
  }
}

}  // namespace charta::ledger::sql
