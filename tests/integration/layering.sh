#!/usr/bin/env bash
# The layers point one way (tui -> ipc -> core) and each program links only
# what it must: STYLE.md's rules, checked on every run.
#  - core/ includes no curses, nng or cJSON; only core/audit* includes
#    sqlite3.h;
#  - tui/ includes no sqlite3.h, nng or cJSON;
#  - airlock-hook links no curses, SQLite, libnotify or nng (it speaks
#    nng's wire protocol itself: docs/architecture.md).
. "$(dirname "$0")/lib.sh"

cd "$SRC"
bad=$(grep -nE '#include *[<"](curses|ncurses|ncursesw/curses|nng/|cjson/|cJSON)' core/*.c core/*.h)
check "core/ includes no curses, nng or cJSON${bad:+: $bad}" [ -z "$bad" ]
bad=$(grep -lE '#include *[<"]sqlite3\.h' core/*.c core/*.h | grep -v '^core/audit')
check "only core/audit* includes sqlite3.h${bad:+: $bad}" [ -z "$bad" ]
bad=$(grep -nE '#include *[<"](sqlite3\.h|nng/|cjson/|cJSON)' tui/*.c tui/*.h)
check "tui/ includes no sqlite3, nng or cJSON${bad:+: $bad}" [ -z "$bad" ]
bad=$(grep -nE '#include *[<"](curses|ncurses|libnotify|sqlite3)' ipc/*.c ipc/*.h)
check "ipc/ includes no curses, libnotify or sqlite3${bad:+: $bad}" [ -z "$bad" ]

needed=$(readelf -d "$BIN/airlock-hook" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "airlock-hook needs: $needed"
for lib in ncurses tinfo sqlite3 notify nng glib; do
	check "airlock-hook does not link $lib" bash -c "! grep -q '$lib' <<<'$needed'"
done
finish
