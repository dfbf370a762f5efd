#pragma once

#include <string>
#include <string_view>
#include <vector>

// Internal to src/ledger: the tables of schema version 2 (see sql_schema.cpp).
namespace charta::ledger::sql {

// The statements creating the v2 tables and indexes; "integer" and "blob" are the dialect's
// types (SQLite INTEGER/BLOB, PostgreSQL BIGINT/BYTEA). chain_head exists since v1.
std::vector<std::string> createTablesV2(std::string_view integer, std::string_view blob);

// The chain head table with its one row at the genesis (since v1; kept by v2).
std::vector<std::string> createChainHead(std::string_view integer);

// The tables no row of may be updated or deleted (subjects and personal are the erasable
// exceptions, guarded by the dialect's own triggers).
inline const std::vector<std::string>& appendOnlyTables() {
  static const std::vector<std::string> tables = {"events", "merkle_nodes", "meta", "pages"};
  return tables;
}

}  // namespace charta::ledger::sql
