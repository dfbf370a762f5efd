# The consent ledger benchmark (not a test): include() from tests/bench/CMakeLists.txt.
#   ledger_bench [--seconds S] [--dir DIR] [--pg URI | --no-pg] [--threads 1,8,64]
include(${CMAKE_SOURCE_DIR}/tests/support/pg_server.cmake)
find_package(SQLite3 REQUIRED)
add_executable(ledger_bench ${CMAKE_CURRENT_LIST_DIR}/ledger_bench.cpp)
target_include_directories(ledger_bench PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(ledger_bench PRIVATE charta_ledger charta_test_pg SQLite::SQLite3)

#   ledger_fill --uri URI --events N [--threads T] [--subjects S]
add_executable(ledger_fill ${CMAKE_CURRENT_LIST_DIR}/ledger_fill.cpp)
target_include_directories(ledger_fill PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(ledger_fill PRIVATE charta_ledger)
