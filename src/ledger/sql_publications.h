#pragma once

#include <vector>

#include "ledger/ledger.h"
#include "ledger/sql_log.h"

// Internal to src/ledger: edition.published and edition.withdrawn events.
namespace charta::ledger::sql {

// The facts checked and normalized (hex in lower case, texts sorted by language).
// throws InvalidInput: the first malformed field.
PublicationFacts normalizePublication(const PublicationFacts& facts);
WithdrawalFacts normalizeWithdrawal(const WithdrawalFacts& facts);

// Inside "tx": the stored event of the edition, or the facts appended now.
// throws EditionChanged: other facts are chained. throws NotChained (withdrawal of an edition
// that is not chained).
Recorded<ChainedPublication> recordPublication(Tx& tx, const PublicationFacts& facts);
Recorded<ChainedWithdrawal> recordWithdrawal(Tx& tx, const WithdrawalFacts& facts);

// The chained publications of "doc", with their withdrawals.
std::vector<ChainedPublication> publicationsOf(Session& s, const Dialect& d,
                                               const core::DocumentId& doc);

// The documents with an edition.published event, in order of id.
std::vector<core::DocumentId> publishedDocumentsOf(Session& s, const Dialect& d);

}  // namespace charta::ledger::sql
