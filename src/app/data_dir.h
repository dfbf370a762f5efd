#pragma once

#include <string>

namespace charta::app {

// The built-in default of site.data_dir: where templates/, site/, api/ and the initial policies/
// are. A binary inside the build tree it was made in uses the source tree it was built from; any
// other binary is an installed one and uses share/charta beside its bin/ (found from
// /proc/self/exe, so an install under any prefix, `cmake --install --prefix DIR` or the Debian
// package, finds its own files). When the executable cannot be located: the configured
// install location (CMAKE_INSTALL_FULL_DATADIR/charta).
std::string defaultDataDir();

}  // namespace charta::app
