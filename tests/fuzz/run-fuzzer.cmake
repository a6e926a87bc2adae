# One short fuzzing run (an input may take seconds under the sanitizers: a
# module whose .pdata claims the 64 MB cap, read through a routine that
# claims success for unreadable bytes, is read and sorted once; README,
# "Worst-case cost")
# One short fuzzing run (ctest's fuzz_*_fuzz): a fresh working corpus seeded
# from SEEDS, fuzzed for SECONDS; a crash, leak, timeout or broken invariant
# fails the test and leaves the input in ARTIFACTS.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK} ${ARTIFACTS})
file(GLOB seeds ${SEEDS}/*)
file(COPY ${seeds} DESTINATION ${WORK})
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=60 -rss_limit_mb=2048
          -max_len=262144 -print_final_stats=1 -artifact_prefix=${ARTIFACTS}/ ${WORK}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the fuzzer found something (status ${status}); inputs in ${ARTIFACTS}")
endif()
