#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace charta::testing {

// A throwaway PostgreSQL server for integration tests: a fresh cluster (initdb) in a temporary
// folder, one postmaster listening on 127.0.0.1 on a free port, trust authentication for the
// superuser "charta". The destructor stops the server (immediate shutdown: no checkpoint) and
// deletes the folder.
//
// When the test process runs as root (initdb and postgres refuse root) the folder is owned by the
// system user "postgres" and both programs run as that user. The postmaster receives SIGQUIT when
// the thread that started it dies, so a crashed test leaves no server behind (only the folder).
//
// Binaries are looked up in $CHARTA_PG_BINDIR, /usr/lib/postgresql/<N>/bin (newest first), then
// $PATH. Not copyable. createDatabase() and psql() may be called from several threads.
//
// Typical use, one server per test process:
//
//   charta::testing::PgServer* pg = charta::testing::PgServer::shared();
//   if (!pg) return;  // CHARTA_SKIP_PG=1 and no PostgreSQL: skip (never skip silently otherwise)
//   std::string uri = pg->createDatabase("my_test");  // postgresql://charta@127.0.0.1:port/my_test
//
// Link the target `charta_test_pg` (include tests/support/pg_server.cmake from your folder).
class PgServer {
 public:
  struct Options {
    bool fsync = true;  // false only for tests that do not measure durability
    int maxConnections = 200;
  };

  // Creates and starts the cluster; returns when it accepts connections.
  // throws std::runtime_error: binaries missing, no "postgres" user while root, initdb or
  // postgres failed (the message includes the tail of the server log).
  PgServer();
  explicit PgServer(Options options);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // The process-wide server, started on first use and stopped at exit. Returns nullptr only when
  // $CHARTA_SKIP_PG is "1" and the binaries are missing; any other failure throws, so a machine
  // without PostgreSQL fails the tests instead of skipping them.
  static PgServer* shared();

  // True when $CHARTA_SKIP_PG is "1".
  static bool skipRequested();

  // postgresql://charta@127.0.0.1:<port>/charta (the default database).
  std::string uri() const { return uriOf("charta"); }
  // postgresql://charta@127.0.0.1:<port>/<db>
  std::string uriOf(std::string_view db) const;

  // Creates database "name" ([a-z0-9_]{1,63}; a suffix makes it unique within this server) and
  // returns its URI. throws std::runtime_error: the server refused.
  std::string createDatabase(std::string_view name);

  // Runs "sql" with the psql CLI against database "db" (-X -v ON_ERROR_STOP=1 -At) and returns
  // its standard output. throws std::runtime_error: psql exited non-zero (message has its output).
  std::string psql(std::string_view db, std::string_view sql) const;

  // Stops the server as a crash would (immediate shutdown: connections are cut, no checkpoint)
  // and starts it again on the same data folder and port; returns when it accepts connections
  // again (after crash recovery). Sessions of clients are lost; committed data is not.
  // Call it from a thread that outlives the server (the postmaster dies with the thread that
  // started it). throws std::runtime_error: it did not come back (the message has the log's tail).
  void restart();
  // The two halves of restart(), for a test that acts while the server is down: crash() stops it
  // as a crash would; recover() starts it again and returns when it accepts connections.
  void crash();
  void recover();

  int port() const { return port_; }
  const std::string& binDir() const { return binDir_; }
  const std::string& dataDir() const { return dataDir_; }

 private:
  void start(const Options& options);
  // Starts the postmaster on port_; false when it exited at once (the port was taken).
  bool launch();
  void stopServer() noexcept;
  void stop() noexcept;
  std::string logTail() const;

  std::string binDir_;
  std::string root_;     // the temporary folder (owned by "postgres" when we are root)
  std::string dataDir_;  // root_/data
  int port_ = 0;
  int pid_ = -1;  // the postmaster
  int nextDb_ = 0;
  Options options_;
};

// The outcome of one finished program.
struct ProgramResult {
  int exitCode = -1;   // -1 when killed by a signal
  std::string output;  // standard output and standard error, interleaved
};

// Runs "argv" (argv[0] is a path or a name looked up in $PATH) and waits for it; "input" is fed
// to its standard input. Used by tests to drive real CLIs (sqlite3, psql, git).
// throws std::runtime_error: the program could not be started.
ProgramResult runProgram(const std::vector<std::string>& argv, std::string_view input = {});

}  // namespace charta::testing
