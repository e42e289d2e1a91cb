#!/usr/bin/env bash
# apply-renames.sh MAP - renames identifiers as MAP says ("old new" a line;
# # comments and blank lines skipped), whole words only, in the C sources
# and headers, Markdown, shell and Python files and CMakeLists.txt files
# (comments) under src/ tests/ bench/ backends/ docs/ and at the top. Run
# it from anywhere: it works on the checkout it is in.
# Refuses, changing nothing, a map whose new name is already a word in
# those files, or is another line's old name (the renames would chain).
# C files that clang-format left alone before are formatted again after.
# Prints how many files and occurrences it changed.
set -euo pipefail
map=$(realpath "${1:?usage: apply-renames.sh MAP}")
cd "$(dirname "$0")/.."

pairs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$map" | awk '
  NF != 2 || $1 !~ /^[A-Za-z_][A-Za-z0-9_]*$/ || $2 !~ /^[A-Za-z_][A-Za-z0-9_]*$/ {
    print "apply-renames: bad line: " $0 > "/dev/stderr"; exit 1 }
  { print $1, $2 }')
files=$( (find src tests bench backends docs -type f \
  \( -name '*.c' -o -name '*.h' -o -name '*.md' -o -name '*.sh' \
     -o -name '*.py' -o -name CMakeLists.txt \); echo CMakeLists.txt) | sort)

olds=$(printf '%s\n' "$pairs" | awk '{print $1}' | sort)
news=$(printf '%s\n' "$pairs" | awk '{print $2}' | sort)
dup=$( (printf '%s\n' "$olds" | uniq -d; printf '%s\n' "$news" | uniq -d) )
[ -z "$dup" ] || { echo "apply-renames: named twice in $map:" $dup >&2; exit 1; }
chain=$(comm -12 <(printf '%s\n' "$olds") <(printf '%s\n' "$news"))
[ -z "$chain" ] || { echo "apply-renames: both old and new names:" $chain >&2; exit 1; }
taken=$(printf '%s\n' $files | xargs grep -ohwF -f <(printf '%s\n' "$news") \
  | sort -u || true)
[ -z "$taken" ] || { echo "apply-renames: new names already in use:" $taken >&2; exit 1; }

script=$(printf '%s\n' "$pairs" | awk '{printf "s/\\<%s\\>/%s/g\n", $1, $2}')
hits=$(printf '%s\n' $files | xargs grep -ohwF -f <(printf '%s\n' "$olds") \
  | wc -l || true)
changed=$(printf '%s\n' $files | xargs grep -lwF -f <(printf '%s\n' "$olds") \
  || true)
# C files that were clang-format clean are formatted again after the
# rename (longer names can push a line past 80 columns).
clean=
if command -v clang-format > /dev/null; then
  for f in $(printf '%s\n' $changed | grep '\.[ch]$' || true); do
    clang-format --dry-run -Werror "$f" > /dev/null 2>&1 && clean="$clean $f"
  done
fi
[ -z "$changed" ] || sed -i -e "$script" $changed
[ -z "$clean" ] || clang-format -i $clean
echo "apply-renames: $(printf '%s\n' "$pairs" | wc -l) names," \
  "$hits occurrences in $(printf '%s' "$changed" | grep -c . || true) files"
