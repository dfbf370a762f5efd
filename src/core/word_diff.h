#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/words.h"

namespace charta::core {

enum class WordOpKind { kEqual, kDelete, kInsert };
const char* wordOpName(WordOpKind k);  // "equal", "delete", "insert"

// A run of words kept, deleted from the old text, or inserted into the new one.
struct WordOp {
  WordOpKind kind = WordOpKind::kEqual;
  std::vector<Word> words{};
};

// The word-level operations turning "from" into "to": a minimal edit script (Myers' algorithm),
// deletions before insertions, and an equal run between two larger changes shorter than both
// joined into them ("[-5.2. и 5.3.-]{+5.3. и 5.4.+}" rather than "[-5.2. и-] 5.3. {+и 5.4.+}").
std::vector<WordOp> diffWords(const std::vector<Word>& from, const std::vector<Word>& to);

// Words as small integers, shared by both sides of one diff: one id per text and link (see
// Word::sameAs). Not safe for concurrent use.
class WordInterner {
 public:
  int id(std::string_view word);
  int id(const Word& word);
  std::vector<int> ids(const std::vector<Word>& words);

 private:
  // The views point into the texts compared, or into linked_.
  std::unordered_map<std::string_view, int> ids_;
  std::deque<std::string> linked_;  // the keys of linked words (stable addresses)
};

// diffWords with the words already interned: "a" and "b" are the ids of "from" and "to".
std::vector<WordOp> diffWordIds(const std::vector<Word>& from, const std::vector<Word>& to,
                                const std::vector<int>& a, const std::vector<int>& b);

// How a run of "ops" is printed: after white space or not. After a change, a word (not a
// punctuation mark) is set apart even where the new text has none ("[-a b-] c"); an insertion
// right after a deletion is not ("[-a-]{+b+}"). Empty runs are skipped.
struct PrintedRun {
  const WordOp* op = nullptr;
  bool spaceBefore = false;
};
std::vector<PrintedRun> printedRuns(const std::vector<WordOp>& ops);

// What surrounds deleted and inserted words: git's word-diff markers by default; a terminal may
// use colours instead.
struct DiffMarkers {
  std::string_view deleteOpen = "[-", deleteClose = "-]";
  std::string_view insertOpen = "{+", insertClose = "+}";
};

// "[-a b-]{+c+} d": the operations as text with git's word-diff markers.
std::string formatOpsPlain(const std::vector<WordOp>& ops, const DiffMarkers& markers = {});

}  // namespace charta::core
