#!/usr/bin/env bash
# The manual page smccctrace(8): scdoc builds it, groff renders it without a warning,
# and it cannot drift from --help: every option and subcommand that the help texts
# name is in the page, and every option in the page is in a help text.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
TOOL=${1:-build/x86_64/smccctrace}
. tests/host/lib.sh

check "scdoc builds the page" make -s man
page=build/man/smccctrace.8
release=$(date -u -d "@$(dpkg-parsechangelog -l debian/changelog -S Timestamp)" +%F)
check "the page is dated by the release (debian/changelog: $release), not the build day" \
	grep -qx ".TH \"smccctrace\" \"8\" \"$release\"" "$page"
warn=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
check "groff -ww: no warnings${warn:+ ($warn)}" test -z "$warn"
warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
check "man --warnings: no warnings${warn:+ ($warn)}" test -z "$warn"
text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | col -b)
for s in NAME SYNOPSIS DESCRIPTION OPTIONS SUBCOMMANDS OUTPUT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	check "section $s" grep -q "^$s\$" <<<"$text"
done

# the long options of a text: --word, not inside a longer word
longopts() { grep -oE -- '(^|[^a-z0-9-])--[a-z][a-z0-9-]*' | sed 's/^[^-]*//' | sort -u; }
help=$( { "$TOOL" --help; for c in decode probe psci top; do "$TOOL" "$c" --help; done; } 2>&1 | longopts)
man=$(longopts <<<"$text")
check "help texts name options ($(wc -w <<<"$help"))" test "$(wc -w <<<"$help")" -gt 30
missing=$(comm -23 <(echo "$help") <(echo "$man") | tr '\n' ' ')
check "every option of --help is in the page${missing:+ (missing: $missing)}" test -z "$missing"
extra=$(comm -13 <(echo "$help") <(echo "$man") | tr '\n' ' ')
check "every option of the page is in a --help${extra:+ (not in --help: $extra)}" test -z "$extra"
# short options: -x in the help's option column and the page's
shortopts() { grep -oE -- '^ *-[a-zA-Z],' | tr -d ' ,' | sort -u; }
hs=$("$TOOL" --help | shortopts) ms=$(grep -oE -- '^ *-[a-zA-Z], --' <<<"$text" | tr -d ' ,-' | sed 's/^/-/' | sort -u)
check "short options agree ($(echo $hs))" test "$hs" = "$ms"
# subcommands: those the help lists, each a heading of SUBCOMMANDS
subs=$("$TOOL" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z]*\) .*/\1/p')
for c in $subs trace; do
	check "subcommand $c in the page" grep -qE "^ {7}$c( |$)" <<<"$text"
done
check "examples are smccctrace command lines" test "$(grep -c '^ *smccctrace ' <<<"$text")" -ge 8
check "the page points at the JSON reference" grep -q 'json.md' <<<"$text"

echo "# man: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
