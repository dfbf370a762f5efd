// The PostgreSQL dialect: the scale-out backend, shared by any number of server processes. The
// chain lock is SELECT ... FOR UPDATE on the one chain_head row, so seq and prev_hash stay linear
// whoever writes; migrations take a transaction-scoped advisory lock.

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>

#include <mutex>

#include "core/c_handle.h"
#include "ledger/raw_reader.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_schema.h"

namespace charta::ledger::sql {
namespace {

using namespace Poco::Data::Keywords;

constexpr std::int64_t kMigrationLock = 0x6368617274610001;  // pg_advisory_xact_lock key

// Numbers the "?" placeholders ($1, $2...); quoted text is left alone.
std::string numbered(std::string_view text) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresqlDialect final : public Dialect {
 public:
  explicit PostgresqlDialect(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  std::string_view name() const override { return "postgresql"; }
  std::string sql(std::string_view text) const override { return numbered(text); }

  std::unique_ptr<Session> connect() const override {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    // Poco's session keeps libpq's connection object when the connection fails, for good: ask
    // the server first, so that one that is down or starting up (a restart, a failover) costs
    // nothing however often the writers retry.
    switch (PQping(conninfo_.c_str())) {
      case PQPING_REJECT:
        throw StorageError("the PostgreSQL server refuses connections now (starting or stopping)");
      case PQPING_NO_RESPONSE:
        throw StorageError("no PostgreSQL server answers at the configured address");
      default:  // PQPING_OK; PQPING_NO_ATTEMPT (bad settings): the session says what is wrong
        break;
    }
    auto s = std::make_unique<Session>("PostgreSQL", conninfo_);
    *s << "SET synchronous_commit = on", now;
    // The chain lock makes writers take turns; a server default of SERIALIZABLE would only add
    // serialization failures to that.
    *s << "SET default_transaction_isolation = 'read committed'", now;
    *s << "SET client_min_messages = warning", now;  // libpq prints NOTICEs to stderr
    return s;
  }

  void beginWrite(Session& s) const override { s.begin(); }
  void commit(Session& s) const override { s.commit(); }
  void rollback(Session& s) const noexcept override {
    try {
      if (s.isTransaction()) s.rollback();
    } catch (...) {
    }
  }
  void beginRead(Session& s) const override {
    s.begin();
    s << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", now;
  }
  void endRead(Session& s) const override { s.commit(); }

  std::string headForUpdate() const override {
    return "SELECT CAST(seq AS TEXT), hash FROM chain_head WHERE id = 1 FOR UPDATE";
  }

  std::vector<Row> select(Session& s, std::string_view text,
                          const std::vector<std::string>& params) const override {
    std::vector<const char*> values;  // text format: NUL-terminated, as std::string keeps them
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    const std::string query = sql(text);
    PGconn* conn = connection(s);
    std::unique_ptr<PGresult, core::CFree<PQclear>> r(
        PQexecParams(conn, query.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                     nullptr, nullptr, 1 /* binary results: text and bytea as their bytes */));
    check(conn, r.get(), PGRES_TUPLES_OK);
    std::vector<Row> rows(static_cast<std::size_t>(PQntuples(r.get())));
    const int columns = PQnfields(r.get());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const int row = static_cast<int>(i);
      rows[i].reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(r.get(), row, c)) {
          rows[i].emplace_back();
        } else {
          rows[i].emplace_back(std::in_place, PQgetvalue(r.get(), row, c),
                               static_cast<std::size_t>(PQgetlength(r.get(), row, c)));
        }
      }
    }
    return rows;
  }

  void execute(Session& s, std::string_view text, std::span<const Param> params) const override {
    constexpr Oid kInt8 = 20, kBytea = 17;  // pg_type OIDs; text is left to the server to infer
    std::vector<std::string> numbers;
    numbers.reserve(params.size());  // no reallocation: values point into it
    std::vector<const char*> values;
    std::vector<Oid> types;
    std::vector<int> lengths, formats;
    for (const Param& p : params) {
      const bool number = p.kind == Param::Kind::kInt;
      if (number) numbers.push_back(std::to_string(p.number));
      values.push_back(number ? numbers.back().c_str() : p.bytes.c_str());
      types.push_back(number ? kInt8 : p.kind == Param::Kind::kBlob ? kBytea : 0);
      lengths.push_back(number ? 0 : static_cast<int>(p.bytes.size()));
      formats.push_back(p.kind == Param::Kind::kBlob ? 1 : 0);  // bytea as its bytes
    }
    const std::string statement = sql(text);
    PGconn* conn = connection(s);
    std::unique_ptr<PGresult, core::CFree<PQclear>> r(
        PQexecParams(conn, statement.c_str(), static_cast<int>(values.size()), types.data(),
                     values.data(), lengths.data(), formats.data(), 0));
    check(conn, r.get(), PGRES_COMMAND_OK);
  }

  void beforeMigration(Session&) const override {}
  void lockMigration(Session& s) const override {
    Poco::Int64 key = kMigrationLock;
    s << sql("SELECT pg_advisory_xact_lock(?)"), use(key), now;
  }

  const std::vector<std::string>& schemaV2() const override {
    static const std::vector<std::string> statements = [] {
      std::vector<std::string> out = createTablesV2("BIGINT", "BYTEA");
      out.push_back(
          "CREATE FUNCTION charta_append_only() RETURNS trigger LANGUAGE plpgsql AS"
          " 'BEGIN RAISE EXCEPTION ''% is append-only'', TG_TABLE_NAME; END'");
      for (const std::string& t : appendOnlyTables()) {
        out.push_back("CREATE TRIGGER " + t + "_no_change BEFORE UPDATE OR DELETE ON " + t +
                      " FOR EACH ROW EXECUTE FUNCTION charta_append_only()");
        out.push_back("CREATE TRIGGER " + t + "_no_truncate BEFORE TRUNCATE ON " + t +
                      " FOR EACH STATEMENT EXECUTE FUNCTION charta_append_only()");
      }
      // The erasable tables: only erasure deletes personal values and a subject's key.
      out.push_back(
          "CREATE TRIGGER personal_no_update BEFORE UPDATE ON personal"
          " FOR EACH ROW EXECUTE FUNCTION charta_append_only()");
      out.push_back(
          "CREATE FUNCTION charta_subjects_guard() RETURNS trigger LANGUAGE plpgsql AS"
          " 'BEGIN IF TG_OP = ''DELETE'' OR NEW.lookup <> OLD.lookup OR (OLD.subject_key IS NOT"
          " NULL AND NEW.subject_key IS NOT NULL) THEN RAISE EXCEPTION ''a subject key is only"
          " ever erased''; END IF; RETURN NEW; END'");
      out.push_back(
          "CREATE TRIGGER subjects_guard BEFORE UPDATE OR DELETE ON subjects"
          " FOR EACH ROW EXECUTE FUNCTION charta_subjects_guard()");
      out.push_back(
          "CREATE TRIGGER subjects_no_truncate BEFORE TRUNCATE ON subjects"
          " FOR EACH STATEMENT EXECUTE FUNCTION charta_append_only()");
      return out;
    }();
    return statements;
  }
  std::vector<std::string> chainHead() const override { return createChainHead("BIGINT"); }
  std::vector<std::string> dropV1() const override {
    return {"DROP TABLE consent_events", "DROP FUNCTION IF EXISTS consent_events_append_only()"};
  }

  std::unique_ptr<RawReader> rawReader() const override { return postgresqlRawReader(conninfo_); }

  Settings settings(Session& s) const override {
    Settings out;
    for (const char* name :
         {"synchronous_commit", "fsync", "full_page_writes", "default_transaction_isolation"}) {
      std::string value;
      s << std::string("SHOW ") + name, into(value), now;
      out.emplace_back(name, value);
    }
    out.emplace_back("chain_lock", "SELECT ... FOR UPDATE on chain_head");
    return out;
  }

 private:
  static PGconn* connection(Session& s) {
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(s.impl());
    if (!impl) throw StorageError("a PostgreSQL statement on another database's connection");
    return impl->handle();
  }
  static void check(PGconn* conn, const PGresult* r, ExecStatusType expected) {
    if (r && PQresultStatus(r) == expected) return;
    throw StorageError("the PostgreSQL server refused a statement: " +
                       std::string(r ? PQresultErrorMessage(r) : PQerrorMessage(conn)));
  }

  std::string conninfo_;
};

}  // namespace

std::unique_ptr<Dialect> postgresqlDialect(const Location& location) {
  return std::make_unique<PostgresqlDialect>(location.target);
}

}  // namespace charta::ledger::sql
