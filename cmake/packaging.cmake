# The Debian package (cmake --build build --target package, or ./dev package): the programs in
# /usr/bin, the systemd units in /lib/systemd/system, the migrations, benchmarks and Citus DDL
# in /usr/share/rollcall, the example configuration as a conffile in /etc/rollcall, the man
# pages, and maintainer scripts that make the rollcall user and its folders
# (deploy/debian/). tests/integration/package.sh checks what it holds.
# Absolute destinations are Debian's fixed places, outside the /usr prefix.
set(ROLLCALL_UNITS
    rollcalld.service rollcall-worker@.service
    rollcall-cohorts.service rollcall-cohorts.timer
    rollcall-returns.service rollcall-returns.timer
    rollcall-tsm.service rollcall-tsm.timer
    rollcall-retention.service rollcall-retention.timer
    rollcall-push.service rollcall-push.timer)
list(TRANSFORM ROLLCALL_UNITS PREPEND ${PROJECT_SOURCE_DIR}/deploy/)
install(FILES ${ROLLCALL_UNITS} DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/rollcall-.service.d/50-hardening.conf
        DESTINATION /lib/systemd/system/rollcall-.service.d)

# Conffiles (deploy/debian/conffiles): dpkg never replaces them once edited. postinst gives
# them to group rollcall.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/rollcall.conf.example DESTINATION /etc/rollcall
        RENAME rollcall.conf PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/push.env DESTINATION /etc/rollcall
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)

# The migrations are compiled into the programs; the files are shipped to read and review.
file(GLOB ROLLCALL_SQL CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/sql/[0-9][0-9][0-9]_*.sql)
install(FILES ${ROLLCALL_SQL} DESTINATION share/rollcall/sql)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/benchmarks.csv DESTINATION share/rollcall)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/citus/rollcall-citus.sql DESTINATION share/rollcall/citus)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/rollcall)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rollcall)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Rollcall maintainers <rollcall@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "school attendance register ingest, measures and statutory returns")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; CPack indents these lines.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Rollcall gives a multi-academy trust one always-current picture of school
attendance. rollcalld receives each school's nightly register over
CURVE-encrypted ZeroMQ into an append-only PostgreSQL register;
rollcall-worker computes the attendance measures and writes the trust's
reports; rollcall-push runs beside a school's MIS; rollcall administers.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# What the programs link (tests/integration/package.sh checks every library they need is
# covered), the shadow tools postinst uses, and PostgreSQL's client for the operator.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libzmq5, libpq5, libprotobuf-c1, libsystemd0, libxml2, libcsv3, libinih1, passwd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# The folders of the package belong to root; without this CPack gives them the build user's
# umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_STRIP_FILES TRUE)
include(CPack)
