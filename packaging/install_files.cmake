# Runs at install time (install(SCRIPT)): CMAKE_INSTALL_PREFIX is the final prefix (--prefix);
# file(INSTALL) adds $ENV{DESTDIR} itself. Writes the systemd unit for this prefix and installs
# the sample configuration unless the operator already has one.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc "/etc")
else()
  set(etc "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(OPSFLOW_BIN "${CMAKE_INSTALL_PREFIX}/bin/opsflow")
set(OPSFLOW_CONF_DIR "${etc}/opsflow")
set(OPSFLOW_DOC_DIR "${CMAKE_INSTALL_PREFIX}/share/doc/opsflow")
configure_file("${OPSFLOW_PACKAGING_DIR}/opsflow.service.in"
               "${OPSFLOW_STAGE_DIR}/opsflow.service" @ONLY)
file(INSTALL "${OPSFLOW_STAGE_DIR}/opsflow.service"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
if(EXISTS "$ENV{DESTDIR}${OPSFLOW_CONF_DIR}/opsflow.yaml")
  message(STATUS "Kept: $ENV{DESTDIR}${OPSFLOW_CONF_DIR}/opsflow.yaml")
else()
  file(INSTALL "${OPSFLOW_PACKAGING_DIR}/opsflow.yaml" DESTINATION "${OPSFLOW_CONF_DIR}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
