// Schema version 2: the log of every provable event (events, merkle_nodes, chain_head), the
// erasable subjects and personal tables, meta and the page archive. Written once for both
// dialects, which add their triggers.

#include "ledger/sql_schema.h"

namespace charta::ledger::sql {
namespace {

void replaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::vector<std::string> createTablesV2(std::string_view integer, std::string_view blob) {
  std::vector<std::string> out = {
      // One row per event: its canonical bytes and the columns queries need (which verify
      // checks against the bytes).
      "CREATE TABLE events ("
      " seq INT64 PRIMARY KEY,"
      " id TEXT NOT NULL UNIQUE,"
      " kind TEXT NOT NULL,"
      " recorded_at INT64 NOT NULL,"
      " pseudonym TEXT,"
      " document TEXT,"
      " edition INT64,"
      " idempotency_key TEXT UNIQUE,"
      " prev_hash TEXT NOT NULL,"
      " hash TEXT NOT NULL,"
      " bytes BYTES NOT NULL)",
      "CREATE INDEX events_pseudonym ON events (pseudonym, seq)",
      "CREATE UNIQUE INDEX events_published ON events (document, edition)"
      " WHERE kind = 'edition.published'",
      "CREATE UNIQUE INDEX events_withdrawn ON events (document, edition)"
      " WHERE kind = 'edition.withdrawn'",
      // Every perfect subtree of 2^level >= 16 leaves (level >= 4), hex.
      "CREATE TABLE merkle_nodes (level INTEGER NOT NULL, idx INT64 NOT NULL,"
      " hash TEXT NOT NULL, PRIMARY KEY (level, idx))",
      // Erasable: lookup = hex HMAC(meta ledger secret, subject id); subject_key (hex of 32
      // random bytes), pseudonym = hex HMAC(key, subject id) and the clear id are NULL once
      // erased; erased_on is the UTC day of the erasure (not its moment, which would link the row
      // to the erasure event).
      "CREATE TABLE subjects (lookup TEXT PRIMARY KEY, subject TEXT, subject_key TEXT,"
      " pseudonym TEXT UNIQUE, erased_on INT64)",
      // Erasable: the values personal to one event (its evidence JSON).
      "CREATE TABLE personal (event_id TEXT PRIMARY KEY, pseudonym TEXT NOT NULL, evidence TEXT)",
      "CREATE INDEX personal_pseudonym ON personal (pseudonym)",
      "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE pages (sha256 TEXT PRIMARY KEY, bytes BYTES NOT NULL,"
      " document TEXT NOT NULL, edition INT64 NOT NULL, language TEXT NOT NULL,"
      " variant TEXT NOT NULL, first_served_at INT64 NOT NULL)",
      "CREATE INDEX pages_edition ON pages (document, edition, language, first_served_at)",
  };
  for (std::string& statement : out) {
    replaceAll(statement, "INT64", integer);
    replaceAll(statement, "BYTES", blob);
  }
  return out;
}

std::vector<std::string> createChainHead(std::string_view integer) {
  std::string table =
      "CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INT64 NOT NULL,"
      " hash TEXT NOT NULL)";
  replaceAll(table, "INT64", integer);
  return {table,
          "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + std::string(64, '0') + "')"};
}

}  // namespace charta::ledger::sql
