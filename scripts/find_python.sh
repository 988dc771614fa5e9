#!/bin/sh
# Print the path of a Python interpreter >= 3.12, or explain in German why there is none.
# Prefers the oldest one that qualifies, 3.12, because requirements.lock is resolved for it.
# Looks at $PYTHON (if set), then python3.12 … python3.14 and python3 on PATH, then the
# versions pyenv has installed even when they are not first on PATH (pyenv's shims refuse
# a version that is not selected, so the interpreters are run directly from its folder).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

for cand in ${PYTHON:-} python3.12 python3.13 python3.14 python3; do
  path=$(command -v "$cand" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done

root=${PYENV_ROOT:-$HOME/.pyenv}
if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null || echo "$root"); fi
for version in $(ls "$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+' | sort -V); do
  exe="$root/versions/$version/bin/python3"
  if [ -x "$exe" ] && ok "$exe"; then echo "$exe"; exit 0; fi
done

echo "Kein Python 3.12 oder neuer gefunden (gesucht: python3.12 … python3.14, python3 im PATH und unter $root/versions)." >&2
echo "Bitte Python 3.12 installieren (z. B. 'pyenv install 3.12') oder PYTHON=/pfad/zu/python3.12 angeben." >&2
exit 1
