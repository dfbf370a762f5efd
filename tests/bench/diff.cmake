# The redline benchmark (not a test): included by tests/bench/CMakeLists.txt.
#   diff_bench [--runs N] [--file PATH] [--check]
# The diff of two ~20 KB editions and the lint of one, per run, next to cmark-gfm's own
# cmark_markdown_to_html of the same text in the same run. Target: diff <= 5x render.
add_executable(diff_bench ${CMAKE_CURRENT_LIST_DIR}/diff_bench.cpp)
target_include_directories(diff_bench PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_definitions(diff_bench PRIVATE CHARTA_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(diff_bench PRIVATE charta_render charta_core PkgConfig::CMARKGFM)
