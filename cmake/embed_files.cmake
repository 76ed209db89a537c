# civicline_embed_files(<target> NAMESPACE <ns> FUNCTION <fn> BASE_DIR <dir> FILES <f>...)
#
# Generates a C++ source that defines
#   std::span<const std::pair<std::string_view, std::string_view>> <ns>::<fn>();
# returning {path relative to BASE_DIR, file bytes} for each file, sorted by
# path, and adds it to <target>. The consuming library declares the function
# in one of its headers. Rebuilt whenever an embedded file changes.
set(CIVICLINE_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_files_generate.cmake")

function(civicline_embed_files target)
  cmake_parse_arguments(ARG "" "NAMESPACE;FUNCTION;BASE_DIR" "FILES" ${ARGN})
  list(SORT ARG_FILES)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${ARG_FUNCTION}.cpp")
  string(REPLACE ";" "|" files_arg "${ARG_FILES}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND}
      "-DOUT=${out}" "-DNAMESPACE=${ARG_NAMESPACE}" "-DFUNCTION=${ARG_FUNCTION}"
      "-DBASE_DIR=${ARG_BASE_DIR}" "-DFILES=${files_arg}"
      -P "${CIVICLINE_EMBED_SCRIPT}"
    DEPENDS ${ARG_FILES} "${CIVICLINE_EMBED_SCRIPT}"
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
