#!/bin/bash
# check-po.sh: translatable strings must be whole string literals.
#
# Usage: check-po.sh [--expect-offence] SRCDIR POTFILES
#
# xgettext stops a msgid at the first macro in it, so
#   _("%s needs %" G_GUINT64_FORMAT " pages")
# reaches translators as "%s needs %" and the program, at run time, looks up
# a string no catalogue has. Fails (exit 1), naming file, line and string:
#  - when a C file listed in POTFILES (relative to SRCDIR) has a string
#    literal followed by a macro inside _(), N_(), C_(), NC_() or ngettext;
#  - when a msgid xgettext extracts ends in a lone '%' or a cut-off
#    conversion ("%", "%l", "%-0"...), however the source was laid out.
# Format numbers into a separate string first and pass that with "%s".
# --expect-offence (the script's own tests) inverts this: exit 0 only when
# an offence was found, 1 when none was.
set -u

expect=0
if [ "${1:-}" = "--expect-offence" ]; then
  expect=1
  shift
fi

srcdir=${1:?usage: check-po.sh SRCDIR POTFILES}
potfiles=${2:?usage: check-po.sh SRCDIR POTFILES}
cd "$srcdir" || exit 2

xgettext=$(command -v xgettext) || { echo "check-po: xgettext not found" >&2; exit 77; }

files=()
while IFS= read -r line; do
  line=${line%%#*}
  line=$(printf '%s' "$line" | tr -d '[:space:]')
  case $line in
    *.c|*.h) files+=("$line") ;;
  esac
done < "$potfiles"
if [ ${#files[@]} -eq 0 ]; then
  echo "check-po: no C file listed in $potfiles" >&2
  exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
status=0

# 1. A literal followed by an identifier inside a gettext call, on one line
#    (the identifier being a macro such as G_GUINT64_FORMAT or PRIu64).
lit='"([^"\\]|\\.)*"'
call='(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|ngettext|g_dpgettext2?|g_dcgettext)[[:space:]]*\('
grep -HnE "$call([^()]*,)?[[:space:]]*($lit[[:space:]]*)+[A-Za-z_][A-Za-z0-9_]*" \
  "${files[@]}" > "$tmp/grep" 2>/dev/null
if [ -s "$tmp/grep" ]; then
  while IFS= read -r hit; do
    echo "check-po: macro inside a translatable string: $hit"
  done < "$tmp/grep"
  status=1
fi

# 2. What translators would actually get.
if ! "$xgettext" --from-code=UTF-8 --no-location --add-location=file \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
    --keyword=g_dpgettext2:2c,3 --keyword=g_dcgettext:2 \
    --language=C -o "$tmp/messages.pot" "${files[@]}" 2> "$tmp/xgettext.err"; then
  cat "$tmp/xgettext.err" >&2
  echo "check-po: xgettext failed" >&2
  exit 2
fi
if [ -f "$tmp/messages.pot" ]; then
  # Join each msgid/msgid_plural's continuation lines, then look at its end.
  awk '
    function flush() {
      if (key != "" && key != "msgstr") {
        s = val
        gsub(/%%/, "", s)
        if (s ~ /%[-+ #0-9.*hlLqjzt]*$/)
          printf "check-po: truncated msgid (a macro cut it?): \"%s\"  [%s]\n", val, where
      }
      key = ""; val = ""
    }
    /^#:/ { where = substr($0, 4) }
    /^(msgid|msgid_plural|msgctxt|msgstr(\[[0-9]+\])?) / {
      flush()
      key = $1
      if (key !~ /^msgid/) key = "msgstr"
      line = $0; sub(/^[^ ]+ "/, "", line); sub(/"$/, "", line); val = line
      next
    }
    /^"/ { line = $0; sub(/^"/, "", line); sub(/"$/, "", line); val = val line; next }
    { flush() }
    END { flush() }
  ' "$tmp/messages.pot" > "$tmp/truncated"
  if [ -s "$tmp/truncated" ]; then
    cat "$tmp/truncated"
    status=1
  fi
fi

# 3. Every source file with a translatable string is listed (only for the
#    project's own po/POTFILES.in: the script's test cases list a few files).
if [ "$expect" -eq 0 ] && [ "$(basename "$potfiles")" = POTFILES.in ] && [ -d src ]; then
  while IFS= read -r f; do
    listed=0
    for g in "${files[@]}"; do
      [ "$g" = "$f" ] && listed=1 && break
    done
    if [ "$listed" -eq 0 ]; then
      echo "check-po: $f has translatable strings but is not in $potfiles"
      status=1
    fi
  done < <(grep -rlE '(^|[^A-Za-z0-9_])N?C?_\("' --include='*.c' src | sort)
fi

if [ "$status" -eq 0 ]; then
  echo "check-po: ${#files[@]} C files, no macro in a translatable string"
fi
if [ "$expect" -eq 1 ]; then
  [ "$status" -eq 1 ] && exit 0
  echo "check-po: expected an offence in $potfiles, found none" >&2
  exit 1
fi
exit "$status"
