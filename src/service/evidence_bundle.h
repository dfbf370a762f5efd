#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/tar.h"
#include "core/time.h"
#include "ledger/ledger.h"
#include "repository/anchors.h"
#include "repository/policy_repository.h"
#include "repository/raw_objects.h"
#include "service/anchoring.h"
#include "service/evidence.h"

namespace charta::service {

// The evidence bundle of one consent event: everything a third party needs to check it with git,
// sha256sum, a POSIX shell and python3's standard library, without charta. Its files:
//
//   receipt.json            the receipt (service::receipt), as GET /api/v1/consents/{id} sends it
//   bundle.json             what the other files are: {"format": "charta-evidence/1", "record_id",
//                           "consent"/"publication": {seq, bytes, proof}, "anchor": {commit,
//                           tree, statement, timestamp}, "edition": {tag, commit, tree, texts:
//                           [{language, path, blob}], registry: {path, blob}}, "page",
//                           "subject": {key, evidence} | null}
//   consent.event           the consent event's canonical bytes (ledger/canonical.h)
//   publication.event       the canonical bytes of the edition.published event it cites
//   *.proof.json            the inclusion proof of each in the anchor's tree head (RFC 9162):
//                           {"seq", "leaf_index", "tree_size", "hashes": [hex...]}
//   anchor.json             the nearest anchor at or after the event (service/anchoring.h), and
//   timestamp.tsr           its RFC 3161 token when it has one
//   objects/<id>.<type>     raw git object payloads: the anchor's commit and tree; the edition's
//                           tag, commit, the trees down to its texts and charta.xml, and those
//                           blobs (`git hash-object -t <type> --stdin` gives <id>)
//   page.html               the page bytes the consent's page_sha256 names (the page archive)
//   subject_key.hex,        the subject's key and the evidence kept apart, only while the
//   evidence.json           subject is not erased: the pseudonym and evidence digest are checked
//   VERIFY.md, verify.sh    how to check it (the document's language and English) and the check
//   SHA256SUMS              sha256sum -c of every other file
//
// Raw objects rather than a git bundle: each file is checked on its own with `git hash-object`,
// without a repository, and a changed byte names the file it is in.
struct BundleSources {
  ledger::Ledger& ledger;
  const repository::PolicyRepository& repo;  // charta.xml of the edition's commit
  const repository::RawObjects& objects;
  const repository::AnchorChain& anchors;
  Anchoring& anchoring;      // an anchor is written first when the event is newer than the tip
  const Evidence& evidence;  // the receipt
};

// Puts evidence bundles together. Safe for concurrent use.
class EvidenceBundles {
 public:
  explicit EvidenceBundles(const BundleSources& sources) : s_(sources) {}

  // The files of the bundle of consent event "recordId", in archive order.
  // throws Failure kNotFound: no consent-type event has that id; kReplicaReadOnly: no anchor
  //   covers the event yet and this replica cannot write one; kRepositoryUnreadable: an object
  //   of the edition or the anchor cannot be read; kLedgerUnavailable; kConflict: the anchor does
  //   not state the ledger's tree head (`charta ledger verify` says more).
  std::vector<core::TarFile> bundle(std::string_view recordId, core::Instant now) const;

 private:
  BundleSources s_;
};

// The bundle as a ustar archive (application/x-tar), every file dated "now".
std::string bundleArchive(const std::vector<core::TarFile>& files, core::Instant now);

// Writes the bundle's files under "dir" (created; it must not exist or be empty), verify.sh
// executable. throws InvalidInput: "dir" holds files; Error: a file cannot be written.
void writeBundle(const std::vector<core::TarFile>& files, const std::filesystem::path& dir);

// verify.sh and VERIFY.md of a bundle for a document in "language" (Russian and English for
// "ru", English otherwise): evidence_verifier.cpp.
std::string verifyScript();
std::string verifyGuide(std::string_view language);

}  // namespace charta::service
