#pragma once

#include <memory>

namespace charta::core {

// The deleter of a C library's handle: std::unique_ptr<git_tree, CFree<git_tree_free>> frees the
// tree once, with the library's own function, whatever way its owner's scope ends.
template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

}  // namespace charta::core
