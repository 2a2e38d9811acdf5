# One static library per folder of src/, with its allowed dependencies written down once.
# The include check (CheckLayering.cmake) turns a forbidden #include into a build error, so
# the layering of the architecture cannot erode silently.

set_property(GLOBAL PROPERTY DURAFN_LAYERS "")

function(durafn_layer name)
  cmake_parse_arguments(L "" "" "DEPENDS;LIBS" ${ARGN})
  set(dir "${CMAKE_SOURCE_DIR}/src/${name}")
  file(GLOB sources CONFIGURE_DEPENDS "${dir}/*.cc")
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cc$")
  set(target durafn_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/include")
    foreach(dep IN LISTS L_DEPENDS)
      target_link_libraries(${target} PUBLIC durafn_${dep})
    endforeach()
    target_link_libraries(${target} PUBLIC ${L_LIBS} Threads::Threads)
  else()
    # Not built yet: an interface target keeps the dependency graph complete.
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/include")
    foreach(dep IN LISTS L_DEPENDS)
      target_link_libraries(${target} INTERFACE durafn_${dep})
    endforeach()
    target_link_libraries(${target} INTERFACE ${L_LIBS})
  endif()
  add_library(durafn::${name} ALIAS ${target})
  string(REPLACE ";" "," deps_csv "${L_DEPENDS}")
  set_property(GLOBAL APPEND PROPERTY DURAFN_LAYERS "${name}=${deps_csv}")
endfunction()

function(durafn_check_layering)
  get_property(layers GLOBAL PROPERTY DURAFN_LAYERS)
  string(REPLACE ";" "|" spec "${layers}")
  add_custom_target(check_layering ALL
    COMMAND ${CMAKE_COMMAND} "-DSRC=${CMAKE_SOURCE_DIR}/src" "-DSPEC=${spec}"
            -P "${CMAKE_SOURCE_DIR}/cmake/CheckLayering.cmake"
    COMMENT "Checking that each layer includes only the layers it depends on"
    VERBATIM)
endfunction()
