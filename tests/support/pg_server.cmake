# The throwaway PostgreSQL server for integration tests (tests/support/pg_server.h).
# include() this from any tests/<folder>/CMakeLists.txt, then link charta_test_pg.
include_guard(GLOBAL)
add_library(charta_test_pg STATIC ${CMAKE_SOURCE_DIR}/tests/support/pg_server.cpp)
target_include_directories(charta_test_pg PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(charta_test_pg PUBLIC PostgreSQL::PostgreSQL)
