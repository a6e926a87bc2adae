# Generates the module-definition file for dbghelp.dll from src/win/exports.txt.
# x86_64 names are plain; i686 names carry their __stdcall @N decoration and
# the link uses --kill-at, so the DLL exports undecorated names as Windows'
# does while the import library still resolves StackWalk64@36.
function(dbgwalk_generate_def exports_file out_file decorate)
  file(STRINGS "${exports_file}" lines)
  set(body "LIBRARY dbghelp.dll\nEXPORTS\n")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*#" OR line STREQUAL "")
      continue()
    endif()
    string(REGEX MATCH "^([A-Za-z0-9_]+)[ \t]+([0-9]+)" _ "${line}")
    if(decorate)
      string(APPEND body "  ${CMAKE_MATCH_1}@${CMAKE_MATCH_2}\n")
    else()
      string(APPEND body "  ${CMAKE_MATCH_1}\n")
    endif()
  endforeach()
  file(WRITE "${out_file}" "${body}")
endfunction()
