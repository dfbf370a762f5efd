# The in-force lookup benchmark (not a test): included by tests/bench/CMakeLists.txt.
#   inforce_bench [--sizes "10 1000 100000"] [--lookups N]
# core::Timeline::inForceAt and statusAt (what `charta in-force`, /current and ?at= ask) at each
# size, next to a linear scan over the same editions in the same run.
add_executable(inforce_bench ${CMAKE_CURRENT_LIST_DIR}/inforce_bench.cpp)
target_include_directories(inforce_bench PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(inforce_bench PRIVATE charta_core)
