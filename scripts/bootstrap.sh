#!/usr/bin/env bash
# One entry point for a fresh Debian or Ubuntu machine:
#   scripts/bootstrap.sh demo   install what is missing, build, open the
#                               console with a scripted demo session
#   scripts/bootstrap.sh test   install what is missing, build with
#                               -Werror and ASan+UBSan, run the whole suite
#   scripts/bootstrap.sh build  install and build only (release, ./build)
# Options via the environment: AIRLOCK_LONG=1 adds the long fault, soak and
# load tests; AIRLOCK_JOBS=N sets build parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-test}
jobs=${AIRLOCK_JOBS:-$(nproc)}

PACKAGES=(build-essential cmake pkg-config libncurses-dev libnotify-dev
	libsqlite3-dev sqlite3 libcjson-dev libnng-dev libcmocka-dev tmux
	python3 clang libclang-rt-14-dev libfaketime)

install_packages() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	# Claude Code (for the end-to-end tests) installs through npm.
	command -v npm >/dev/null || missing+=(npm)
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "bootstrap: installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# build DIR [cmake options...] [--target T]
build() {
	local dir=$1 target=()
	shift
	local opts=()
	while [ $# -gt 0 ]; do
		if [ "$1" = --target ]; then
			target=(--target "$2")
			shift 2
		else
			opts+=("$1")
			shift
		fi
	done
	cmake -S . -B "$dir" "${opts[@]}" >/dev/null
	cmake --build "$dir" -j"$jobs" "${target[@]}"
}

install_packages
case $mode in
demo)
	build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	exec ./build/bin/airlock demo
	;;
build)
	build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	;;
test)
	long=OFF
	[ "${AIRLOCK_LONG:-0}" = 1 ] && long=ON
	build build-test -DCMAKE_BUILD_TYPE=Debug -DAIRLOCK_SANITIZE=ON \
		-DAIRLOCK_WERROR=ON -DAIRLOCK_LONG_TESTS=$long
	# Timing-sensitive integration tests run one at a time.
	ctest --test-dir build-test --output-on-failure -j1
	# Every fuzz target for a short run (libFuzzer needs clang).
	if command -v clang >/dev/null; then
		CC=clang build build-fuzz -DCMAKE_BUILD_TYPE=Debug \
			-DAIRLOCK_FUZZ=ON -DAIRLOCK_FUZZ_TIME=${AIRLOCK_FUZZ_TIME:-15} \
			--target fuzzers
		ctest --test-dir build-fuzz --output-on-failure -L fuzz -j2
	else
		echo "SKIP: fuzz targets (clang not installed)"
	fi
	;;
*)
	echo "usage: $0 demo|test|build" >&2
	exit 2
	;;
esac
