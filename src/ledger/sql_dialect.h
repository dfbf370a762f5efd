#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/location.h"

// Internal to src/ledger: what differs between the databases a ledger can live in. Statements
// are written once, with "?" placeholders; a dialect says how its database takes them, how a
// connection is set up, how the chain lock is taken and what the schema is.
namespace charta::ledger::sql {

using Poco::Data::Session;
using Settings = std::vector<std::pair<std::string, std::string>>;
// One row of Dialect::select: each column's bytes; nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

// A value bound to a statement of Dialect::execute: text, a 64-bit integer or bytes (a blob).
struct Param {
  enum class Kind { kText, kInt, kBlob };
  Kind kind = Kind::kText;
  std::string bytes;  // kText, kBlob
  std::int64_t number = 0;

  static Param text(std::string v) { return {Kind::kText, std::move(v), 0}; }
  static Param integer(std::int64_t v) { return {Kind::kInt, {}, v}; }
  static Param blob(std::string v) { return {Kind::kBlob, std::move(v), 0}; }
};

// One database's way of speaking. Immutable after construction; safe for concurrent use (each
// Session is used by one thread at a time).
class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string_view name() const = 0;  // "sqlite", "postgresql"

  // "text" with its "?" placeholders as this database takes them (quoted text left alone).
  virtual std::string sql(std::string_view text) const = 0;

  // Checked before the first connection is opened.
  // throws StorageError: the database must not be opened (a damaged SQLite file, left as it is).
  virtual void checkBeforeOpen() const {}

  // Called while a failure to open and migrate the writer's connection is being handled: true
  // when trying again within the busy timeout may succeed.
  virtual bool transientOpenFailure() const { return false; }

  // A new connection with the durability settings charta needs.
  // throws StorageError or a Poco exception: it cannot be opened.
  virtual std::unique_ptr<Session> connect() const = 0;

  // A write transaction holding the chain lock from its start (SQLite: BEGIN IMMEDIATE, the
  // database's one write lock, between processes too), or from readHeadForUpdate (PostgreSQL).
  virtual void beginWrite(Session& s) const = 0;
  virtual void commit(Session& s) const = 0;
  virtual void rollback(Session& s) const noexcept = 0;
  // A read-only transaction reading one consistent snapshot.
  virtual void beginRead(Session& s) const = 0;
  virtual void endRead(Session& s) const = 0;

  // The query of the chain head (seq as text, hash) that, inside a write transaction, also takes
  // the chain lock.
  virtual std::string headForUpdate() const = 0;

  // Runs the query "text" ("?" placeholders, text "params"; every column selected is text or a
  // blob: CAST numbers AS TEXT) on the connection of "s" through the database's own C API, and
  // returns its rows. On PostgreSQL that is one round trip (an unnamed statement parsed, bound and
  // run in one message) where Poco::Data takes three (prepare, execute, deallocate a named one);
  // on SQLite no binding objects per value. For the queries of every consent and subject lookup.
  // throws StorageError: the database refused the query.
  virtual std::vector<Row> select(Session& s, std::string_view text,
                                  const std::vector<std::string>& params) const = 0;
  // Runs the statement "text" (an INSERT or UPDATE; "?" placeholders) with "params" the same way:
  // the writes of every consent batch.
  // throws StorageError: the database refused it (a constraint, a lost connection).
  virtual void execute(Session& s, std::string_view text, std::span<const Param> params) const = 0;

  // Before the migration's transaction (SQLite: the switch to WAL).
  virtual void beforeMigration(Session& s) const = 0;
  // Inside the migration's transaction: serialises migrations between processes.
  virtual void lockMigration(Session& s) const = 0;
  // The statements creating schema version 2 (tables and triggers; chain_head excluded), and
  // those creating chain_head for a new database.
  virtual const std::vector<std::string>& schemaV2() const = 0;
  virtual std::vector<std::string> chainHead() const = 0;
  // The statements dropping what is left of schema version 1 once migrated.
  virtual std::vector<std::string> dropV1() const = 0;

  // After an erasure committed, on a connection outside any transaction (SQLite: checkpoint and
  // truncate the WAL, so that the erased values leave the -wal file too). Best effort.
  virtual void afterErase(Session&) const {}

  // A read-only connection of the database's own C API for streaming verification.
  virtual std::unique_ptr<class RawReader> rawReader() const = 0;

  // The durability settings in effect on "s", as Ledger::settings reports them.
  virtual Settings settings(Session& s) const = 0;
};

// The dialect of the database at "location", with "options" (SQLite's busy timeout).
std::unique_ptr<Dialect> makeDialect(const Location& location, const Options& options);
std::unique_ptr<Dialect> sqliteDialect(const Location& location, const Options& options);
std::unique_ptr<Dialect> postgresqlDialect(const Location& location);

// Turns the exception being handled into a StorageError "<doing>: <reason>"; charta's own errors
// pass unchanged.
[[noreturn]] void rethrowAsStorage(std::string_view doing);

}  // namespace charta::ledger::sql
