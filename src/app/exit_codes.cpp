#include "app/exit_codes.h"

namespace charta::app {

using service::Fault;

ExitCode exitCode(Fault fault) {
  switch (fault) {
    case Fault::kInvalidRequest:
    case Fault::kInvalidJson:
    case Fault::kUnknownField:
    case Fault::kInvalidParameter:
    case Fault::kInvalidTime:
    case Fault::kInvalidDocumentId:
    case Fault::kInvalidEdition:
    case Fault::kInvalidCursor:
    case Fault::kTokenInQuery:
    case Fault::kUnsupportedMediaType:
    case Fault::kMethodNotAllowed:
    case Fault::kUnauthorized:
    case Fault::kForbidden:
    case Fault::kTooManyAuthFailures:
    case Fault::kPublicationRefused:
    case Fault::kLintRefused:
    case Fault::kWithdrawalRefused:
    case Fault::kInvalidRegistry:
    case Fault::kNoticePeriod:
    case Fault::kApprovalsMissing:
    case Fault::kForeignTag:
    case Fault::kUnknownDocument:
    case Fault::kEditionNotInForce:
    case Fault::kUnknownLanguage:
    case Fault::kUnknownPurpose:
    case Fault::kPageMismatch:
    case Fault::kReplicaReadOnly:
    case Fault::kPreconditionRequired:
      return kInvalid;
    case Fault::kNotFound:
    case Fault::kDocumentNotFound:
    case Fault::kEditionNotFound:
    case Fault::kTextNotFound:
    case Fault::kNotInForce:
    case Fault::kSubjectErased:
      return kNotFound;
    case Fault::kConflict:
    case Fault::kPublicationConflict:
    case Fault::kAlreadyWithdrawn:
    case Fault::kSubjectBlocked:
    case Fault::kIdempotencyKeyReused:
    case Fault::kPreconditionFailed:
      return kConflict;
    case Fault::kRepositoryBusy:
      return kUnavailable;
    case Fault::kRepositoryUnreadable:
    case Fault::kLedgerUnavailable:
    case Fault::kInternal:
      return kFailure;
  }
  return kFailure;
}

ExitCode exitCodeOf(const std::exception& e) { return exitCode(service::failureOf(e).fault()); }

}  // namespace charta::app
