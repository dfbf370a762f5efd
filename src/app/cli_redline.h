#pragma once

#include "app/commands.h"

namespace charta::app {

// `charta diff <doc> <from> <to> [--lang L] [--color auto|always|never] [--json]`: what changed
// between two revisions ("v<N>" or a full commit id), clause by clause and word by word. A
// summary line, the purposes whose clause changed, then one line per clause that changed
// (core::formatDiffPlain). Deleted words are red and struck through, inserted ones green and
// underlined when stdout is a terminal (and NO_COLOR is not set), marked [-...-] and {+...+}
// otherwise. --json: the API's JSON (http::diffJson).
// throws InvalidInput: bad arguments; NotFound: no such document, edition, commit or text.
int runDiffCommand(const CommandContext& c);

// `charta lint <doc> [revision] [--effective-from T] [--json]`: the checks that publishing runs,
// on a revision ("v<N>", a full commit id; default: the branch tip). One line per finding with
// file, line, clause and a fix hint, then a summary. Findings the previous edition already had
// are marked: they do not block. Dates in the text are checked against the edition's
// Effective-From, or for a draft against --effective-from (default: now, as publish would).
// Returns kOk, or kInvalid when an error would block publishing.
int runLintCommand(const CommandContext& c);

}  // namespace charta::app
