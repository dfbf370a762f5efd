#pragma once

#include "app/commands.h"

namespace charta::app {

// `charta ledger verify [--json]`: re-reads the whole consent ledger (ledger.uri) and checks its
// hash chain. Prints a summary line, and one line per finding ("seq 12 changed <id>: ...") when
// the chain is broken. Returns kOk, or kLedgerBroken when there is any finding.
//
// `charta ledger export --subject S`: prints, as JSON, everything the ledger holds about subject
// "S" (the receipts of its events, oldest first).
//
// throws InvalidInput: an unknown action, a missing or malformed --subject.
// throws ledger::StorageError: the ledger cannot be opened or read (exit code 1).
int runLedgerCommand(const CommandContext& c);

// The exit code of `charta ledger verify` when the chain is broken (tampering or corruption).
inline constexpr int kLedgerBroken = 5;

}  // namespace charta::app
