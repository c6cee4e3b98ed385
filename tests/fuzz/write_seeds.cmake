# The `fuzz.seeds` test: writes the seeds afresh (cmake -DSEEDS_BIN=... -DSEEDS_DIR=... -P).
file(REMOVE_RECURSE ${SEEDS_DIR})
set(ENV{SLUICE_FUZZ_SEED_DIR} ${SEEDS_DIR})
execute_process(COMMAND ${SEEDS_BIN} --gtest_brief=1 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sluice_fuzz_seeds failed (${rc})")
endif()
