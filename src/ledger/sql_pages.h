#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/sql_dialect.h"

// Internal to src/ledger: the page archive (`pages`), content-addressed by SHA-256.
namespace charta::ledger::sql {

// Ledger::storePage, in its own (autocommitted) statement on "s".
// throws InvalidInput: the hash is not the bytes', or a field is malformed.
bool storePage(Session& s, const Dialect& d, const PageRecord& page);
std::optional<PageRecord> pageOf(Session& s, const Dialect& d, std::string_view sha256);
std::vector<PageRecord> pageVariants(Session& s, const Dialect& d, const core::DocumentId& doc,
                                     core::EditionNo edition, const core::Lang& lang);

}  // namespace charta::ledger::sql
