#pragma once

#include <cstdint>
#include <string>

#include "http/fd.h"

namespace charta::http {

// Raises this process's soft limit of open files (RLIMIT_NOFILE) to its hard limit (or to the
// most the kernel allows, when the hard limit is unlimited) and returns the soft limit in force
// afterwards. Never fails: when the limit cannot be raised, the current one is returned.
long raiseOpenFileLimit();

// How many client connections fit in "openFiles" descriptors: the rest is kept for charta itself
// (the policy repository's pack files, the ledger's and the outbox's database files and
// connections, webhook deliveries, logs, the listener and the poller): an eighth of the limit,
// and never less than 64. At least 8.
int connectionsWithin(long openFiles);

// What Listener::accept() found.
enum class Accepted {
  kConnection,        // a client connection
  kNone,              // none was waiting (or it went away before it could be taken)
  kOutOfDescriptors,  // the process has no descriptor left: the waiting client was refused
};

// A listening TCP socket. SO_REUSEADDR is set (a restarted server binds at once), never
// SO_REUSEPORT: a second server on a port in use fails to start instead of sharing the traffic.
// Owns its descriptors; accept() from one thread at a time.
class Listener {
 public:
  // Binds "host" (a name or an address) and "port" (0: any free port) and listens with a queue
  // of "backlog". throws Error: the host cannot be resolved or the address cannot be bound (the
  // message says why, e.g. "Address already in use").
  Listener(const std::string& host, uint16_t port, int backlog);

  uint16_t port() const { return port_; }
  int fd() const { return fd_.get(); }

  // Takes one waiting connection without blocking: its descriptor into "conn" (non-blocking
  // reads are the caller's choice: it is left blocking) and the client's address into "peer".
  // When the process is out of descriptors, a spare one kept for this moment takes the client,
  // answers it 503 and closes it, so that it neither waits in the queue nor keeps the listener
  // readable; the caller should then back off.
  Accepted accept(Fd& conn, std::string& peer);

 private:
  Fd fd_;
  Fd spare_;  // /dev/null, given up for a moment when the process is out of descriptors
  uint16_t port_ = 0;
};

}  // namespace charta::http
