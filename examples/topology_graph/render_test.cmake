# Included from tests/CMakeLists.txt. Runs topology-graph and renders each DOT file it writes
# with Graphviz (`dot -Tpng`, installed by scripts/setup): every PNG must exist, start with the
# PNG signature and not be empty.
if(TARGET topology-graph)
  find_program(SLUICE_GRAPHVIZ_DOT dot)
  add_test(NAME examples.topology_graph.render_png
           COMMAND ${PROJECT_SOURCE_DIR}/examples/topology_graph/render_test.sh
                   $<TARGET_FILE:topology-graph>
                   ${CMAKE_CURRENT_BINARY_DIR}/topology_graph_render
                   "${SLUICE_GRAPHVIZ_DOT}")
  set_tests_properties(examples.topology_graph.render_png PROPERTIES LABELS integration TIMEOUT 120)
endif()
