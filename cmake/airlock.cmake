# Shared build settings for every airlock target. Applied per target, never
# through global flags.
set(AIRLOCK_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wformat=2)

function(airlock_target_setup target)
	target_compile_options(${target} PRIVATE ${AIRLOCK_WARNINGS})
	target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
	target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
	if(AIRLOCK_WERROR)
		target_compile_options(${target} PRIVATE -Werror)
	endif()
	if(AIRLOCK_SANITIZE)
		target_compile_options(${target} PRIVATE
			-fsanitize=address,undefined -fno-omit-frame-pointer
			-fno-sanitize-recover=undefined)
		target_link_options(${target} PRIVATE -fsanitize=address,undefined)
	endif()
	if(AIRLOCK_FAULTPOINTS)
		target_compile_definitions(${target} PRIVATE AIRLOCK_FAULTPOINTS=1)
	endif()
endfunction()

# airlock_add_test(NAME name SOURCES a.c... LIBS lib... [TIMEOUT s] [LABELS l])
# One cmocka executable per module, registered with ctest.
function(airlock_add_test)
	cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 60)
	endif()
	add_executable(${T_NAME} ${T_SOURCES})
	airlock_target_setup(${T_NAME})
	target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
	target_compile_definitions(${T_NAME} PRIVATE
		AIRLOCK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
		AIRLOCK_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
		AIRLOCK_BINARY_DIR="${PROJECT_BINARY_DIR}")
	add_test(NAME ${T_NAME} COMMAND ${T_NAME})
	set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
	if(T_LABELS)
		set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
	endif()
endfunction()
