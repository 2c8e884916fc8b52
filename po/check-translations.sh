#!/bin/sh
# The Czech translation is valid and complete: every message marked in the
# files of POTFILES has a translation (none empty, none fuzzy).
set -eu
srcdir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$srcdir"
xgettext --from-code=UTF-8 -k_ -kN_ --package-name=ntpac -o "$tmp/ntpac.pot" -f po/POTFILES
msgfmt --check -o /dev/null po/cs.po
msgcmp po/cs.po "$tmp/ntpac.pot"
untranslated=$(msgattrib --untranslated --no-obsolete po/cs.po | grep -c '^msgid' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete po/cs.po | grep -c '^msgid' || true)
if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
  echo "po/cs.po: $untranslated untranslated and $fuzzy fuzzy messages" >&2
  msgattrib --untranslated --no-obsolete po/cs.po >&2
  exit 1
fi
# Every file with marked strings is listed, and only those.
grep -l '_(\|N_(\|ngettext (' core/ntpac/*.c core/cli/*.c plugins/*/*.c 2>/dev/null | sort > "$tmp/marked"
sort po/POTFILES > "$tmp/listed"
diff -u "$tmp/listed" "$tmp/marked"
